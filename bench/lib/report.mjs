// Renders the results of one bench run as docs/benchmarks.md.
import { fixed, max, mb, median, min, msText, ratio, scheduledMakespan, sec } from './stats.mjs';

const table = (headers, rows) =>
  [`| ${headers.join(' | ')} |`, `|${headers.map(() => ' --- |').join('')}`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const met = (ok) => (ok === undefined ? 'n/a' : ok ? 'yes' : '**no**');
const mbKb = (kb) => (kb === undefined || !Number.isFinite(kb) ? 'n/a' : `${((kb * 1024) / 1e6).toFixed(0)} MB`);
const range = (xs, fmt = sec) => (xs.length > 1 ? `${fmt(median(xs))} (${fmt(min(xs))}–${fmt(max(xs))})` : fmt(xs[0]));
const count = (n) => n.toLocaleString('en-US');
const plural = (n, word) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** Milliseconds during which at least one of the builds ran, from their start times (`startedAt`) and durations. */
function busyMs(images) {
  const spans = images
    .filter((i) => i.startedAt)
    .map((i) => [Date.parse(i.startedAt), Date.parse(i.startedAt) + i.durationMs])
    .sort((a, b) => a[0] - b[0]);
  if (spans.length !== images.length) return undefined;
  let total = 0;
  let [from, to] = spans[0] ?? [0, 0];
  for (const [s, e] of spans.slice(1)) {
    if (s > to) {
      total += to - from;
      [from, to] = [s, e];
    } else to = Math.max(to, e);
  }
  return total + (to - from);
}

/** Longest root-to-leaf chain of build durations: the critical path with unlimited build slots. */
function chainPath(images) {
  const by = new Map(images.map((i) => [i.image, i]));
  const upTo = (i) => i.durationMs + (i.parent === null ? 0 : upTo(by.get(i.parent)));
  return Math.max(...images.map(upTo));
}

/** An image's own time plus the longest chain of build times below it (the critical-path priority). */
function remaining(images, image) {
  const below = images.filter((i) => i.parent === image.image).map((i) => remaining(images, i));
  return image.durationMs + Math.max(0, ...below);
}

export function treeNumbers(tree) {
  const tool = tree.cold.filter((r) => r.who === 'tool');
  const hand = tree.cold.filter((r) => r.who === 'hand');
  const naive = tree.cold.filter((r) => r.who === 'naive');
  const toolMs = median(tool.map((r) => r.wallMs));
  const handMs = median(hand.map((r) => r.wallMs));
  const naiveMs = median(naive.map((r) => r.wallMs));
  const overheads = tool.map((r) => {
    // The tool starts the longest known builds first (from the last manifest); the reference is the
    // better of the two list schedules of this run's own build times, so overhead is never flattered.
    // With start times (build --json's startedAt): the time no Packer build was running is the overhead,
    // measured rather than simulated. Older result files fall back to the better of two list schedules.
    const busy = busyMs(r.images);
    const scheduled =
      busy ??
      Math.min(
        scheduledMakespan(r.images, tree.concurrency),
        scheduledMakespan(
          [...r.images].sort((a, b) => b.durationMs - a.durationMs),
          tree.concurrency,
        ),
      );
    const chain = chainPath(r.images);
    return {
      wallMs: r.wallMs,
      scheduled,
      chain,
      overhead: r.wallMs - scheduled,
      overheadChain: r.wallMs - chain,
      measured: busy !== undefined,
    };
  });
  const noopMs = median(tree.noop.map((r) => r.wallMs));
  const paired = tree.leafRuns.every((r) => r.handMs !== undefined);
  const handLeafMs = paired
    ? median(tree.leafRuns.map((r) => r.handMs))
    : median(hand.map((r) => r.images.find((i) => i.image === tree.leaf)?.durationMs ?? NaN));
  const leafWall = median(tree.leafRuns.map((r) => r.wallMs));
  const leafOwn = median(tree.leafRuns.map((r) => r.leafMs));
  // What scheduling alone can give: each image taking its median hand-run time, no contention.
  const alone = tree.images.map((i) => ({
    image: i.name,
    parent: i.parent,
    durationMs: median(hand.map((r) => r.images.find((x) => x.image === i.name)?.durationMs ?? NaN)),
  }));
  const sequential = alone.reduce((a, i) => a + i.durationMs, 0);
  const ideal = {
    sequential,
    configOrder: scheduledMakespan(alone, tree.concurrency),
    longestFirst: scheduledMakespan(
      [...alone].sort((a, b) => b.durationMs - a.durationMs),
      tree.concurrency,
    ),
    criticalFirst: scheduledMakespan(
      [...alone].sort((a, b) => remaining(alone, b) - remaining(alone, a)),
      tree.concurrency,
    ),
    // The lower bound no schedule on `concurrency` slots can beat, from the solo build times.
    bound: Math.max(chainPath(alone), sequential / tree.concurrency),
  };
  const built = tree.sizes.slice(1);
  const clean = built.every((r) => !r.scan.error && r.scan.forbidden.length === 0);
  return {
    tool,
    hand,
    toolMs,
    handMs,
    naive,
    naiveMs,
    coldRatio: ratio(toolMs, handMs),
    naiveRatio: ratio(toolMs, naiveMs),
    boundRatio: ratio(toolMs, ideal.bound),
    ideal,
    alone,
    paired,
    overheads,
    overheadMs: median(overheads.map((o) => o.overhead)),
    noopMs,
    handLeafMs,
    leafWall,
    leafOwn,
    built,
    clean,
  };
}

export function scaleNumbers(scale) {
  const rows = [...scale].sort((a, b) => a.n - b.n);
  const marginal = rows.slice(1).map((r, i) => ({
    from: rows[i].n,
    to: r.n,
    planMs: (r.plan.wallMs - rows[i].plan.wallMs) / (r.n - rows[i].n),
    generateMs: r.generate && rows[i].generate ? (r.generate.wallMs - rows[i].generate.wallMs) / (r.n - rows[i].n) : NaN,
    rssKb: (r.plan.maxRssKb - rows[i].plan.maxRssKb) / (r.n - rows[i].n),
  }));
  const last = marginal.at(-1);
  const prev = marginal.at(-2);
  const growth = last && prev ? last.planMs / prev.planMs : NaN;
  // About linear, i.e. no worse than linear: from the second-largest to the largest tree, total time may
  // grow by at most the size ratio (with 25 % for noise). Marginal costs of a fraction of a millisecond
  // per image are mostly noise, so they are reported but not judged.
  const [a, b] = rows.slice(-2);
  const linear = a && b ? b.plan.wallMs / a.plan.wallMs <= (b.n / a.n) * 1.25 : undefined;
  const big = rows.find((r) => r.n === 1000) ?? rows.at(-1);
  const growthFrom = rows.at(-2);
  return { rows, marginal, growth, linear, big };
}

const POLICY_NAMES = { config: 'config order', longest: 'longest first', critical: 'critical path first', chosen: 'best of rules' };
const SIM_POLICIES = ['config', 'longest', 'critical', 'chosen'];

export function simNumbers(sim) {
  // Results saved before the tool picked among rules have no `chosen`: critical path first was the tool then.
  const tool = sim.records.every((r) => r.makespan.chosen !== undefined) ? 'chosen' : 'critical';
  const policies = SIM_POLICIES.filter((p) => sim.records.every((r) => r.makespan[p] !== undefined));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratios = (recs, p) => recs.map((r) => r.makespan[p] / r.bound);
  const tightRatios = (recs, p) => recs.map((r) => r.makespan[p] / r.tight);
  const worseThanLongest = (recs, key = 'makespan') => recs.filter((r) => r[key][tool] > r[key].longest);
  const cells = [];
  for (const n of sim.sizes)
    for (const slots of sim.slots) {
      const recs = sim.records.filter((r) => r.n === n && r.slots === slots);
      const cell = { n, slots, count: recs.length };
      for (const p of policies) {
        cell[p] = mean(ratios(recs, p));
        cell[`${p}Max`] = Math.max(...ratios(recs, p));
        cell[`${p}Tight`] = mean(tightRatios(recs, p));
      }
      cell.boundGap = mean(recs.map((r) => r.tight / r.bound));
      cell.worse = worseThanLongest(recs).length;
      cell.worseExact = recs.every((r) => r.exact) ? worseThanLongest(recs, 'exact').length : undefined;
      cells.push(cell);
    }
  const all = Object.fromEntries(policies.map((p) => [p, mean(ratios(sim.records, p))]));
  const allTight = Object.fromEntries(policies.map((p) => [p, mean(tightRatios(sim.records, p))]));
  const losses = worseThanLongest(sim.records).map((r) => r.makespan[tool] / r.makespan.longest);
  const gains = sim.records.filter((r) => r.makespan[tool] < r.makespan.longest).length;
  const hasExact = sim.records.every((r) => r.exact);
  const exactLosses = hasExact ? worseThanLongest(sim.records, 'exact').length : undefined;
  // On the exact times, the run must reach the makespan the pick predicted (the simulation mirrors the scheduler).
  const predictedMisses = hasExact && tool === 'chosen' ? sim.records.filter((r) => r.exact.chosen !== r.predicted).length : undefined;
  const rules = {};
  for (const r of sim.records) if (r.rule) rules[r.rule] = (rules[r.rule] ?? 0) + 1;
  // The pick against critical path first alone: what choosing among rules adds, on exact and on noisy times.
  const vsCritical =
    tool === 'chosen'
      ? {
          better: sim.records.filter((r) => r.makespan.chosen < r.makespan.critical).length,
          worse: sim.records.filter((r) => r.makespan.chosen > r.makespan.critical).length,
          exactBetter: hasExact ? sim.records.filter((r) => r.exact.chosen < r.exact.critical).length : undefined,
          exactWorse: hasExact ? sim.records.filter((r) => r.exact.chosen > r.exact.critical).length : undefined,
        }
      : undefined;
  const byDepth = [];
  for (const [from, to] of [
    [2, 2],
    [3, 5],
    [6, 8],
  ]) {
    const recs = sim.records.filter((r) => r.depth >= from && r.depth <= to);
    if (recs.length === 0) continue;
    byDepth.push({
      depths: from === to ? String(from) : `${from}–${to}`,
      count: recs.length,
      ...Object.fromEntries(policies.map((p) => [p, mean(ratios(recs, p))])),
    });
  }
  return {
    tool,
    policies,
    cells,
    all,
    allTight,
    byDepth,
    worse: losses.length,
    gains,
    worstLoss: losses.length ? Math.max(...losses) : 1,
    cellsWorse: cells.filter((c) => c[tool] > c.longest).length,
    exactLosses,
    predictedMisses,
    rules,
    vsCritical,
  };
}

/** The largest relative difference between two measured builds of one image. */
const noise = (samples) =>
  Math.max(
    0,
    ...Object.values(samples)
      .filter((xs) => xs.length > 1)
      .map((xs) => Math.max(...xs) / Math.min(...xs) - 1),
  );

function simSection(sim) {
  const v = simNumbers(sim);
  const tool = v.tool;
  const rows = v.cells.map((c) => [
    count(c.n),
    String(c.slots),
    ...v.policies.map((p) =>
      p === tool ? `**${fixed(c[p], 3)}** (max ${fixed(c[`${p}Max`], 2)})` : `${fixed(c[p], 3)} (max ${fixed(c[`${p}Max`], 2)})`,
    ),
    met(c[tool] <= 1.05),
    c.worseExact === undefined ? `${c.worse} of ${c.count}` : `${c.worse} / ${c.worseExact} of ${c.count}`,
    `${fixed(c.boundGap, 3)}`,
    `${fixed(c[`${tool}Tight`], 3)}`,
  ]);
  const samples = Object.entries(sim.samples)
    .map(([image, xs]) => `${image} ${xs.map((x) => sec(x)).join(', ')}`)
    .join('; ');
  const toolName = POLICY_NAMES[tool];
  const rules = Object.entries(v.rules)
    .sort((a, b) => b[1] - a[1])
    .map(([rule, k]) => `${rule} ${count(k)}`)
    .join(', ');
  const cost = (sim.pickCost ?? [])
    .map((c) => `${count(c.n)} images ${fixed(c.medianMs, 1)} ms (${fixed(c.minMs, 1)}–${fixed(c.maxMs, 1)} ms)`)
    .join(', ');
  const exactText =
    v.exactLosses === undefined
      ? ''
      : ` On exactly the expected times (each case run again with actual = expected: what the promise is about), ${toolName} was worse than longest first in **${count(v.exactLosses)}** of ${count(sim.records.length)} cases (target never: ${met(v.exactLosses === 0)})${v.predictedMisses === undefined ? '' : `, and the run's makespan differed from the one the pick predicted in ${count(v.predictedMisses)}`}.`;
  return [
    `## 7. Scheduling simulation: ${v.policies.map((p) => POLICY_NAMES[p]).join(', ')}`,
    '',
    `The real scheduler (\`dist/graph/scheduler.js\`) driven with simulated time: each build "takes" its time on a clock the simulation advances from one build's end to the next, after the scheduler has reacted (\`bench/lib/simulate.mjs\`). ${count(sim.trees)} random trees per size (${sim.sizes.map(count).join(', ')} images; depth drawn uniformly from 2 to 8 levels; 1 to 3 roots; every image on a random parent above the last level; seed ${sim.seed}), each scheduled with ${sim.slots.join(', ')} slots. Each image takes the measured build time of a reference image drawn at random, from ${sim.source}: ${samples}. The scheduler is told another measured build of the same image as its expected time (what the last recorded build gives it), so it plans with real run-to-run noise. Policies: config order (no priority: ready images in the order they became ready), longest first (the expected time: the tool before issue 18), critical path first (expected time plus the longest chain of expected times below)${tool === 'chosen' ? ', best of rules (the tool now, `src/graph/pick-order.ts`: before the run it simulates critical path first, critical path first with ties to the image with more below, most work below, longest first and config order on the expected times, and runs with the rule whose simulated makespan is lowest)' : ''}. The bound is \`max(critical path, total work / slots)\` of the actual times. Simulated ${count(sim.records.length * (v.policies.length + (v.exactLosses === undefined ? 0 : 3)))} schedules in ${sec(sim.elapsedMs)}.`,
    '',
    table(
      [
        'Images',
        'Slots',
        ...v.policies.map((p) => POLICY_NAMES[p].replace(/^./, (c) => c.toUpperCase())),
        '≤ 1.05×',
        v.exactLosses === undefined ? 'Worse than LF' : 'Worse than LF (actual / exact times)',
        'Tighter bound / bound',
        `${tool === 'chosen' ? 'Best of rules' : 'CP'} / tighter bound`,
      ],
      rows,
    ),
    '',
    `Makespan / bound, mean (and worst) over the trees of each row. Over all ${count(sim.records.length)} cases: ${v.policies.map((p) => `${POLICY_NAMES[p]} ${p === tool ? `**${fixed(v.all[p], 3)}**` : fixed(v.all[p], 3)}`).join(', ')} (target ≤ 1.05 on average: ${met(v.all[tool] <= 1.05)}). On the noisy actual times ${toolName} was worse than longest first in ${count(v.worse)} of ${count(sim.records.length)} cases, by at most ${fixed((v.worstLoss - 1) * 100, 2)} %, better in ${count(v.gains)}, ${v.cellsWorse === 0 ? "worse on no row's average" : `worse on ${v.cellsWorse} rows' averages`}: with actual times that differ from the expected ones no rule chosen before the run can promise a case by case win.${exactText}`,
    ...(tool === 'chosen'
      ? [
          '',
          `Against critical path first alone (what choosing adds): on the expected times better in ${count(v.vsCritical.exactBetter ?? 0)} cases and worse in ${count(v.vsCritical.exactWorse ?? 0)}; on the noisy actual times better in ${count(v.vsCritical.better)} and worse in ${count(v.vsCritical.worse)}: when the rules' simulated makespans differ by less than the run-to-run noise of the build times, which one wins on the day is close to a coin toss, so the pick's gain shows on the expected times and mostly washes out on noisy ones (the mean ratio to the bound barely moves). The run-to-run noise here is large (two builds of the same image differ by up to ${fixed(noise(sim.samples) * 100, 0)} %).`,
          '',
          `Rules picked: ${rules}. Cost of the pick (every rule simulated on the expected times, median of 15 runs, 8 slots): ${cost}.`,
        ]
      : []),
    '',
    'By depth (all sizes and slot counts):',
    '',
    table(
      ['Levels', 'Cases', ...v.policies.map((p) => POLICY_NAMES[p])],
      v.byDepth.map((d) => [d.depths, count(d.count), ...v.policies.map((p) => (p === tool ? `**${fixed(d[p], 3)}**` : fixed(d[p], 3)))]),
    ),
    '',
    `Where a row stays above 1.05, the gap is in the bound, not the schedule: \`max(critical path, work / slots)\` assumes every slot can be busy from the first second, but a tree starts with its roots alone (with 32 slots and one root, 31 slots wait for the root's whole build). The "tighter bound" column is a bound that counts this: at each moment at most as many images can run as have all their ancestors done in the best case and still have time for the chain below them (\`tighterBound\` in \`bench/lib/simulate.mjs\`; still a lower bound on every schedule). Against it, ${toolName} averages ${fixed(v.allTight[tool], 3)} over all cases (${v.policies
      .filter((p) => p !== tool)
      .map((p) => `${POLICY_NAMES[p]} ${fixed(v.allTight[p], 3)}`)
      .join(', ')}).`,
  ].join('\n');
}

function summary(results) {
  const rows = [];
  const verdicts = [];
  const verdict = (what, ok) =>
    verdicts.push(`${what}: ${ok === undefined ? 'not measured' : typeof ok === 'string' ? ok : ok ? 'met' : '**not met**'}`);
  const t = results.tree ? treeNumbers(results.tree) : undefined;
  const s = results.scale ? scaleNumbers(results.scale) : undefined;
  if (t) {
    const n = results.tree.images.length;
    const threeWay = t.naive.length > 0;
    rows.push([
      '1',
      `Cold build, ${n}-image tree`,
      `build-images ${sec(t.toolMs)} vs Packer by hand one after another ${sec(t.handMs)}: **${fixed(t.coldRatio)}×**` +
        (threeWay ? `; vs children in parallel (\`&\` + \`wait\`) ${sec(t.naiveMs)}: **${fixed(t.naiveRatio)}×**` : '') +
        `; vs the bound from solo build times ${sec(t.ideal.bound)}: ${fixed(t.boundRatio)}×`,
      threeWay ? '≤ 0.75× sequential, ≤ 0.95× parallel' : '≤ 0.75×',
      threeWay ? `${met(t.coldRatio <= 0.75)} / ${met(t.naiveRatio <= 0.95)}` : met(t.coldRatio <= 0.75),
    ]);
    verdict('cold build ≤ 0.75× one after another', t.coldRatio <= 0.75);
    if (threeWay) verdict('cold build ≤ 0.95× naive parallel', t.naiveRatio <= 0.95);
    rows.push([
      '2',
      'Orchestrator overhead',
      `**${sec(t.overheadMs)}** with no Packer build running (wall minus Packer busy time)`,
      '< 1 s',
      met(t.overheadMs < 1000),
    ]);
    verdict('overhead < 1 s', t.overheadMs < 1000);
    rows.push([
      '3',
      'No-op rebuild (all reused)',
      `**${sec(t.noopMs)}** wall, ${fixed(ratio(t.noopMs, t.toolMs) * 100, 1)} % of the cold build`,
      '< 0.4 s',
      met(t.noopMs < 400),
    ]);
    verdict('no-op < 0.4 s', t.noopMs < 400);
    const version = median(results.tree.startup.version);
    rows.push([
      '3',
      '`build-images --version`',
      `**${msText(version)}** (\`node -e 0\`: ${msText(median(results.tree.startup.node))})`,
      '< 150 ms',
      met(version < 150),
    ]);
    verdict('--version < 150 ms', version < 150);
    rows.push([
      '4',
      `One-leaf change (${results.tree.leaf})`,
      `${sec(t.leafWall)} wall vs ${sec(t.leafOwn)} for the leaf's own build (${sec(t.handLeafMs)} by hand)`,
      '–',
      '–',
    ]);
  }
  if (s) {
    const b = s.big;
    const fast = b.plan.wallMs < 500;
    const gen = b.generate?.wallMs;
    const growth = s.marginal.map((m) => `${msText(m.planMs)}/image (${count(m.from)}→${count(m.to)})`).join(', ');
    // CPU time (GNU time) says whether the process computed or waited, and whether in its own code or the kernel.
    const cpu = (r) => (r?.userMs === undefined ? '' : `; CPU: user ${sec(r.userMs)}, system ${sec(r.systemMs)}`);
    rows.push([
      '5',
      `\`plan\`, ${count(b.n)} images`,
      `**${sec(b.plan.wallMs)}**, ${mbKb(b.plan.maxRssKb)} peak${cpu(b.plan)}`,
      '< 0.5 s',
      met(fast),
    ]);
    rows.push([
      '5',
      `\`generate --packer-version 1.6.6\`, ${count(b.n)} images`,
      `**${sec(gen)}**, ${mbKb(b.generate?.maxRssKb)} peak${cpu(b.generate)}`,
      '< 0.6 s',
      met(gen === undefined ? undefined : gen < 600),
    ]);
    verdict(`plan on ${count(b.n)} images < 0.5 s`, fast);
    verdict(`generate on ${count(b.n)} images < 0.6 s`, gen === undefined ? undefined : gen < 600);
    const huge = s.rows.at(-1);
    if (huge && huge.n > b.n) {
      const small =
        huge.plan.maxRssKb === undefined || !Number.isFinite(huge.plan.maxRssKb) ? undefined : (huge.plan.maxRssKb * 1024) / 1e6 < 400;
      rows.push([
        '5',
        `\`plan\`, ${count(huge.n)} images`,
        `${sec(huge.plan.wallMs)}, **${mbKb(huge.plan.maxRssKb)}** peak; ${growth}`,
        '< 400 MB, ~linear',
        `${met(small)} / ${met(s.linear)}`,
      ]);
      verdict(`plan on ${count(huge.n)} images < 400 MB`, small);
    }
    verdict('plan grows about linearly', s.linear);
  }
  if (t) {
    const own = t.built.slice(1).map((r) => r.ownBytes);
    const dirty = t.built.filter((r) => r.scan.error || r.scan.forbidden.length).map((r) => r.image);
    rows.push([
      '6',
      'Image layers',
      `base +${mb(t.built[0]?.ownBytes)} over ${results.tree.sizes[0].image}; children +${mb(Math.min(...own))} to +${mb(Math.max(...own))}; ${t.clean ? 'no apt lists, caches or leftovers in any own layer' : `**${dirty.join(', ')}**: apt lists, caches or leftovers in the own layer`}`,
      'own layer = what the provisioners add',
      met(t.clean),
    ]);
    verdict('layers clean', t.clean);
  }
  if (results.sim) {
    const v = simNumbers(results.sim);
    const name = POLICY_NAMES[v.tool];
    const exact = v.exactLosses === undefined ? undefined : v.exactLosses === 0;
    rows.push([
      '7',
      `Scheduling simulation (${count(results.sim.records.length)} cases)`,
      `makespan / bound on average: ${v.policies.map((p) => (p === v.tool ? `${name} **${fixed(v.all[p], 3)}**` : `${POLICY_NAMES[p]} ${fixed(v.all[p], 3)}`)).join(', ')}; ${name} worse than longest first ${v.exactLosses === undefined ? '' : `on the expected times in ${count(v.exactLosses)} cases, on noisy actual times `}in ${count(v.worse)} of ${count(results.sim.records.length)} cases (by at most ${fixed((v.worstLoss - 1) * 100, 1)} %), ${v.cellsWorse === 0 ? 'never on a size × slots average' : `on ${count(v.cellsWorse)} size × slots averages`}`,
      '≤ 1.05× on average, never worse than longest first',
      `${met(v.all[v.tool] <= 1.05)} / ${exact === undefined ? met(v.worse === 0) : `${met(exact)} on the expected times, ${v.worse === 0 ? 'yes' : 'not per case'} on noisy ones`}`,
    ]);
    verdict(`${name} ≤ 1.05× the bound on average`, v.all[v.tool] <= 1.05);
    verdict(
      `${name} never worse than longest first`,
      exact !== undefined
        ? exact
          ? `on the expected times: met (0 of ${count(results.sim.records.length)}); on noisy actual times worse in ${count(v.worse)}`
          : false
        : v.worse === 0
          ? true
          : v.cellsWorse === 0
            ? 'per case: no; on every average: yes'
            : false,
    );
  }
  return { table: table(['#', 'What', 'Result (medians)', 'Target', 'Met'], rows), verdicts };
}

/** The few things a reader should take away, derived from the numbers. */
function highlights(results) {
  const out = [];
  const t = results.tree ? treeNumbers(results.tree) : undefined;
  const s = results.scale ? scaleNumbers(results.scale) : undefined;
  const p = results.tree?.noopPhases ?? s?.big.phases;
  if (s && !s.big.phases.error) {
    const b = s.big.phases;
    if (perImage(b)) {
      out.push(
        `\`plan\` on ${count(s.big.n)} images: ${msText(queries(b).totalMs)} of it are ${count(queries(b).calls)} sequential fingerprint-label queries to the Docker engine, one per image; one query for all of them takes ${msText(b.oneQuery.ms)}. See section 5.`,
      );
    } else {
      const [first, second] = biggestPhases(b);
      out.push(
        `\`plan\` on ${count(s.big.n)} images asks the Docker engine ${queries(b).calls === 1 ? 'once' : plural(queries(b).calls, 'time')} (${msText(queries(b).totalMs)}), whatever the size; its biggest costs are ${first[0]} (${msText(first[1])}) and ${second[0]} (${msText(second[1])}). See section 5.`,
      );
    }
  }
  const gen = s?.big.generate;
  const gp = s?.big.phases;
  if (gen !== undefined && gen.wallMs >= 600 && gp && !gp.error && gp.loadConfigMs !== undefined) {
    const known = gp.nodeStartMs + gp.loadConfigMs + (gp.renderMs ?? 0);
    out.push(
      `\`generate\` on ${count(s.big.n)} images took ${sec(gen.wallMs)}${gen.userMs === undefined ? '' : ` (CPU: user ${sec(gen.userMs)}, system ${sec(gen.systemMs)})`}: Node's start-up ${msText(gp.nodeStartMs)}, loading and validating the config ${msText(gp.loadConfigMs)}, rendering the templates ${msText(gp.renderMs ?? 0)} (bench/plan-phases.mjs, same tree); the other ${msText(gen.wallMs - known)} are loading the CLI's modules and writing ${count(s.big.n)} new files into a staging directory, one sync and the swap. See section 5.`,
    );
  }
  if (gen?.systemMs !== undefined && gen.systemMs > gen.userMs) {
    out.push(
      `\`generate\` on ${count(s.big.n)} images spends more CPU in the kernel than in its own code (system ${sec(gen.systemMs)}, user ${sec(gen.userMs)}, wall ${sec(gen.wallMs)}): creating ${count(s.big.n)} new files and syncing them once (\`packer/\` is removed before each run, so every template is new). See section 5.`,
    );
  }
  if (p && !p.error && loadsAws(p) && awsMs(p) !== undefined) {
    out.push(
      `Every command loads the AWS SDK at start-up (\`cli.js\` imports \`targets/ami/ec2.js\` statically): ${msText(awsMs(p))} here, on Docker-only runs too. It counts in the no-op rebuild, in the overhead and in every \`plan\`. See section 3.`,
    );
  }
  if (t && t.tool.length && t.hand.length) {
    const childSum = (runs) => median(runs.map((r) => r.images.filter((i) => i.parent !== null).reduce((a, i) => a + i.durationMs, 0)));
    const toolChildren = childSum(t.tool);
    const handChildren = childSum(t.hand);
    if (toolChildren > handChildren * 1.2) {
      out.push(
        `The children's builds took ${sec(toolChildren)} in all when build-images ran them ${results.tree.concurrency} at a time, against ${sec(handChildren)} one after another: on ${results.machine.nproc} CPUs (load average ${results.machine.loadStart[0].toFixed(1)} at the start), builds side by side slow each other down, which eats much of what running them in parallel gains. See section 1.`,
      );
    }
    const first = t.tool[0];
    if (first && t.tool.length > 1 && first.wallMs > median(t.tool.slice(1).map((r) => r.wallMs)) * 1.05) {
      out.push(
        `build-images' first cold run (${sec(first.wallMs)}) had no recorded build times (a fresh project: every image expected to take the same, so the children start in config order); the later ones (${t.tool
          .slice(1)
          .map((r) => sec(r.wallMs))
          .join(', ')}) ordered them by the times the run before recorded. See section 1.`,
      );
    }
    if (t.ideal.longestFirst < t.ideal.configOrder * 0.95) {
      out.push(
        `Scheduling order matters here: with the hand-run times and no contention, starting the children in config order takes ${sec(t.ideal.configOrder)}, longest first ${sec(t.ideal.longestFirst)}. The tool starts the image with the longest remaining path first (its last recorded build time plus the longest chain below it, from the manifest). See section 1 and, for deeper trees, section 7.`,
      );
    }
  }
  if (t) {
    const os = results.tree.sizes[0];
    const bytes = os.probe.error ? 0 : (os.probe.listsKb + os.probe.cacheKb) * 1024;
    if (bytes >= 1e6)
      out.push(
        `\`${os.image}\` ships ${mb(bytes)} of apt lists and .deb files (${fixed((bytes / os.totalBytes) * 100, 0)} % of it) that every image of the tree carries. See section 6.`,
      );
  }
  return out.length ? ['What stands out:', '', ...out.map((line) => `- ${line}`), ''] : [];
}

function machineSection(r) {
  const m = r.machine;
  const load = (l) => l.map((x) => x.toFixed(2)).join(' / ');
  return [
    '## Machine and command',
    '',
    table(
      ['Fact', 'Value'],
      [
        ['Date', `${r.startedAt} (took ${(r.elapsedMs / 60_000).toFixed(1)} min)`],
        ['Command', `\`${r.command}\` in the repository root`],
        ['build-images', `${m.tool}${m.commit ? `, commit ${m.commit}` : ''}; dist/ built ${m.distBuiltAt}`],
        ['CPUs (nproc)', `${m.nproc} × ${m.cpu}`],
        ['Memory', `${(m.memBytes / 2 ** 30).toFixed(1)} GiB`],
        ['OS', `${m.os}, kernel ${m.kernel}`],
        ['Node.js', m.node],
        ['Packer', m.packer],
        ['Docker', `${m.docker}, storage driver ${m.storageDriver}`],
        ['Load average (1/5/15 min)', `start ${load(m.loadStart)}, end ${load(m.loadEnd)}`],
        ...(m.loadSamples
          ? [
              [
                '1-min load average during the run (every 10 s)',
                `median ${median(m.loadSamples).toFixed(1)}, min ${min(m.loadSamples).toFixed(1)}, max ${max(m.loadSamples).toFixed(1)} (${m.loadSamples.length} samples)`,
              ],
            ]
          : []),
        ['Engine at start', `${m.engineImages} images, ${plural(m.runningContainers, 'container')} running (the engine is shared)`],
      ],
    ),
    '',
    'Peak memory is the maximum resident set size reported by GNU time (`/usr/bin/time`, Debian package `time`)' +
      (m.gnuTime ? '.' : ': **not installed on this machine, so peak memory is n/a**.'),
  ].join('\n');
}

/**
 * Where the tool and the naive peer differ: both build the root alone, then the tool runs at most
 * `concurrency` children at once and the peer all of them. Median wall time after the root's own build,
 * and the sum of the children's Packer times (how much each slowed the others down).
 */
export function afterRootText(tree, t) {
  const roots = new Set(tree.images.filter((i) => i.parent === undefined || i.parent === null).map((i) => i.name));
  const children = tree.images.length - roots.size;
  const rootMs = (r) => Math.max(0, ...r.images.filter((im) => roots.has(im.image)).map((im) => im.durationMs ?? 0));
  const childSum = (r) => r.images.filter((im) => !roots.has(im.image)).reduce((a, im) => a + (im.durationMs ?? 0), 0);
  const side = (runs) => ({ after: median(runs.map((r) => r.wallMs - rootMs(r))), sum: median(runs.map(childSum)) });
  const tool = side(t.tool);
  const naive = side(t.naive);
  const verdict =
    tree.concurrency >= children
      ? 'the same number of builds at once.'
      : naive.after >= tool.after
        ? 'here the slot limit cost nothing.'
        : naive.sum > tool.sum
          ? `more builds at once make each one slower but finish sooner: the waits of one (apt, the engine's commit) overlap the work of the others, which ${tree.concurrency} slots leave idle.`
          : "the children built all at once were not even slower in sum, so the machine's load changed between the runs: compare with care.";
  return `After the root's own build: build-images ${sec(tool.after)} with at most ${tree.concurrency} builds at once (\`concurrency\` in \`images.yaml\`), by hand in parallel ${sec(naive.after)} with all ${children} children at once. The children's Packer times add up to ${sec(tool.sum)} and ${sec(naive.sum)}: ${verdict} What else the tool does (start-up, planning, the engine's queries, manifest and tfvars) is the overhead of section 2.`;
}

function coldSection(tree, t, nproc) {
  const names = tree.images.map((i) => i.name);
  const who = { tool: 'build-images', hand: 'by hand, one after another', naive: 'by hand, children in parallel' };
  const rows = tree.cold.map((r, i) => [
    String(i + 1),
    who[r.who],
    sec(r.wallMs),
    ...names.map((n) => sec(r.images.find((im) => im.image === n)?.durationMs)),
  ]);
  const threeWay = t.naive.length > 0;
  const sides = threeWay ? 'three sides' : 'two sides';
  return [
    threeWay
      ? '## 1. Cold build: build-images vs Packer by hand, one after another and in parallel'
      : '## 1. Cold build: build-images vs Packer by hand',
    '',
    `All ${sides} build the reference tree (${names.join(', ')}) from \`local/debian:bookworm\` with the offline overlay, from the same generated templates, every image in a fresh build container (so apt and download work is the same everywhere). build-images: \`${tree.commands.cold}\` (concurrency ${tree.concurrency}, from \`images.yaml\`). By hand, one after another: \`packer build -machine-readable -var-file=<image>.pkrvars.json packer/docker/<image>.pkr.hcl\` for base, then each child in turn from base's new ID, with the variables file the tool wrote for that image (source image, environment file, repository and labels replaced; no fingerprint label, so the tool never reuses a hand-built image).${threeWay ? ' By hand in parallel, what a shell user would write next: the same commands, base first, then every child at once (`packer build … &` for each, then `wait`).' : ''} The order rotates from round to round so drift in the machine's load hits every side. ${plural(t.tool.length, 'run')} per side; the table gives each run, per-image columns are the time of each image's Packer build.`,
    '',
    table(['Run', 'Who', 'Wall', ...names], rows),
    '',
    `Median: build-images **${sec(t.toolMs)}**; by hand one after another **${sec(t.handMs)}**, ratio **${fixed(t.coldRatio)}** (target ≤ 0.75: ${met(t.coldRatio <= 0.75)})` +
      (threeWay
        ? `; by hand in parallel **${sec(t.naiveMs)}**, ratio **${fixed(t.naiveRatio)}** (target ≤ 0.95: ${met(t.naiveRatio <= 0.95)})`
        : '') +
      `. Against the bound from the solo build times (the median by-hand time of each image): max(critical path ${sec(chainPath(t.alone))}, total ${sec(t.ideal.sequential)} / ${tree.concurrency} slots) = ${sec(t.ideal.bound)}, build-images took **${fixed(t.boundRatio)}×** it.`,
    ...(threeWay ? ['', afterRootText(tree, t)] : []),
    '',
    `What scheduling alone can give on this tree: if every image took its median solo time (no slowdown from running side by side), ${tree.concurrency} slots in config order would finish in ${sec(t.ideal.configOrder)}, **${fixed(ratio(t.ideal.configOrder, t.ideal.sequential))}×** the sequential ${sec(t.ideal.sequential)}; longest first in ${sec(t.ideal.longestFirst)}, **${fixed(ratio(t.ideal.longestFirst, t.ideal.sequential))}×**; critical path first (what build-images does) in ${sec(t.ideal.criticalFirst)}, **${fixed(ratio(t.ideal.criticalFirst, t.ideal.sequential))}×**. On a tree of depth 2 the last two coincide: every child is a leaf, so its remaining path is its own time. The root is on every path, whatever the order. ${t.coldRatio < ratio(t.ideal.criticalFirst, t.ideal.sequential) ? "The measured ratio is below this, which only a change in the machine's load between the runs can explain: read it with care." : `On ${nproc} CPUs the builds that run side by side also share the CPUs and the disk, so the measured ratio sits above it.`}`,
  ].join('\n');
}

function overheadSection(tree, t) {
  const rows = t.overheads.map((o, i) => [
    String(i + 1),
    sec(o.wallMs),
    sec(o.scheduled),
    sec(o.wallMs - o.scheduled),
    sec(o.chain),
    sec(o.overheadChain),
  ]);
  return [
    '## 2. Orchestrator overhead',
    '',
    t.overheads.every((o) => o.measured)
      ? `Overhead = build-images' wall time (Node start-up included) minus the time during which at least one Packer build was running, from each build's \`startedAt\` and \`durationMs\` in \`build --json\` (from spawning Packer to the engine confirming the ID): config loading, planning, fingerprints, the engine's queries, the gaps between builds, and writing the manifest and tfvars. "Base + slowest child" ignores the slot limit (${tree.concurrency}): with more children than slots it counts waiting for a slot as overhead, so it is shown for reference only.`
      : `Overhead = build-images' wall time minus the time its Packer builds alone would take on ${tree.concurrency} slots, in the better of config order and longest first (these results have no build start times). "Base + slowest child" ignores the slot limit, so it is shown for reference only.`,
    '',
    table(
      [
        'Run',
        'Wall',
        t.overheads.every((o) => o.measured) ? 'Packer running' : 'Packer, scheduled',
        'Overhead',
        'Base + slowest child',
        'Wall − that',
      ],
      rows,
    ),
    '',
    `Median overhead: **${sec(t.overheadMs)}** (target < 1 s: ${met(t.overheadMs < 1000)}).`,
  ].join('\n');
}

const importsMs = (p) => Object.values(p.imports).reduce((a, b) => a + b, 0);
/** Engine calls other than the ping (fingerprint lookups), from plan-phases.mjs. */
const queries = (p) => p.engineQueries ?? { calls: p.findByLabel?.calls ?? 0, totalMs: p.findByLabel?.totalMs ?? 0 };
const engineCallText = (p) =>
  Object.entries(p.engineCalls ?? {})
    .filter(([name]) => name !== 'ping')
    .map(([name, c]) => `${name} ${count(c.calls)} × ${msText(c.medianMs)}`)
    .join(', ') || 'none';
/** Whether the engine is asked once per image (or more), rather than a fixed number of times. */
const perImage = (p) => queries(p).calls >= p.images && p.images > 1;
/** The phases of one plan-phases.mjs run that a `plan` process goes through, biggest first. */
const biggestPhases = (p) =>
  [
    ['start-up and imports', p.nodeStartMs + importsMs(p)],
    ['loading and validating the config', p.loadConfigMs],
    ['templates, fingerprints and decisions', p.prepareOtherMs],
    ['`packer version`', p.packerVersionMs],
    ['Docker engine queries', queries(p).totalMs],
  ].sort((a, b) => b[1] - a[1]);
const awsMs = (p) => p.imports['targets/ami/ec2.js'];
const loadsAws = (p) => (p.cliStaticImports ?? []).includes('@aws-sdk/client-ec2');

function phaseRows(p) {
  if (!p || p.error) return [['(phase breakdown unavailable)', p?.error ?? 'not run']];
  const part = (path, what) => (p.imports[path] === undefined ? [] : [`${what} ${msText(p.imports[path])}`]);
  return [
    ['Node start-up', msText(p.nodeStartMs)],
    [
      'Importing dist/ and its dependencies (unbundled modules, one file at a time; the CLI loads the esbuild bundle, dist/bundle/, so it pays less)',
      `${msText(importsMs(p))}: ${[...part('config/load.js', 'yaml and the schema validator (config/load.js)'), ...part('packer/run.js', 'packer/run.js (execa loads only for a build)'), ...part('targets/docker/engine.js', 'targets/docker/engine.js'), ...part('targets/docker/definition.js', 'the Docker target (targets/docker/definition.js)'), ...part('targets/ami/ec2.js', '@aws-sdk/client-ec2 (targets/ami/ec2.js)'), ...part('cli.js', 'the rest of cli.js')].join(', ')}`,
    ],
    [
      'Packages `cli.js` loads at start-up (static imports)',
      `${(p.cliStaticImports ?? []).join(', ') || 'n/a'}${loadsAws(p) ? ' — **including the AWS SDK, although the command builds Docker images**' : ''}`,
    ],
    ['Load and validate the config', msText(p.loadConfigMs)],
    ['`packer version`', msText(p.packerVersionMs)],
    ['Engine ping', msText(p.pingMs)],
    [
      'Docker engine queries (fingerprint lookups)',
      `${msText(queries(p).totalMs)}: ${engineCallText(p)}${perImage(p) ? ' (one per image)' : ''}`,
    ],
    [
      'Templates, fingerprints, decisions',
      `${msText(p.prepareOtherMs)}${p.fingerprintMs === undefined ? '' : ` (templates and fingerprints alone ${msText(p.fingerprintMs)})`}`,
    ],
    ['Peak memory (this process)', mbKb(p.maxRssKb)],
  ];
}

function noopSection(tree, t) {
  return [
    '## 3. No-op rebuild',
    '',
    `\`${tree.commands.noop}\` on the unchanged tree, right after the cold builds: every image is found by its fingerprint label and reused (the run still re-tags them and writes the manifest and tfvars). Wall time from spawning \`node\` to its exit, ${tree.noop.length} runs: ${tree.noop.map((r) => sec(r.wallMs)).join(', ')}.`,
    '',
    `Median **${sec(t.noopMs)}** (target < 0.4 s: ${met(t.noopMs < 400)}), ${fixed(ratio(t.noopMs, t.toolMs) * 100, 1)} % of the cold build (${fixed(ratio(t.toolMs, t.noopMs), 0)}× faster). For scale: \`node -e 0\` takes ${range(tree.startup.node)}, \`build-images --version\` (start-up plus loading every module) ${range(tree.startup.version)}.`,
    '',
    'Where the time goes before any build starts (the preparation `plan` and `build` share, `engine/prepare.js`, timed phase by phase in one process by `bench/plan-phases.mjs`):',
    '',
    table(['Phase', 'Time'], phaseRows(tree.noopPhases)),
  ].join('\n');
}

function startupSection(results) {
  const tree = results.tree;
  const s = results.scale ? scaleNumbers(results.scale) : undefined;
  const startup = tree?.startup ?? results.startup;
  const rows = [];
  const add = (what, xs, target, limit) => {
    const m = median(xs);
    rows.push([what, range(xs, msText), target, limit === undefined ? '–' : met(m < limit)]);
  };
  if (startup) {
    add('`node -e 0` (Node itself)', startup.node, '–');
    add('`build-images --version`', startup.version, '< 150 ms', 150);
  }
  if (tree)
    add(
      'No-op build of the reference tree (section 3)',
      tree.noop.map((r) => r.wallMs),
      '< 0.4 s',
      400,
    );
  else rows.push(['No-op build of the reference tree', 'not measured in this run (it needs the cold builds)', '< 0.4 s', 'n/a']);
  if (s) {
    const b = s.big;
    add(
      `\`plan\`, ${count(b.n)} images (section 5)`,
      b.plan.runs.map((r) => r.wallMs),
      '< 0.5 s',
      500,
    );
    if (b.generate)
      add(
        `\`generate\`, ${count(b.n)} images (section 5)`,
        b.generate.runs.map((r) => r.wallMs),
        '< 0.6 s',
        600,
      );
    const huge = s.rows.at(-1);
    if (huge.n > b.n)
      rows.push([
        `\`plan\`, ${count(huge.n)} images: peak memory`,
        mbKb(huge.plan.maxRssKb),
        '< 400 MB',
        met(huge.plan.maxRssKb === undefined ? undefined : (huge.plan.maxRssKb * 1024) / 1e6 < 400),
      ]);
  }
  const p = tree?.noopPhases ?? s?.big.phases;
  return [
    '## 8. Start-up',
    '',
    `Wall time from spawning \`node\` to its exit, median (min–max) of the runs in each section (${startup ? `${startup.version.length} runs of \`--version\` and \`node -e 0\`, alternating` : 'see section 5'}). The CLI loads a command's modules when the command runs, the config schema's validator is compiled at build time (\`dist/config/schema-validator.cjs\`), listr2 loads only for the interactive display and execa only for a Packer build.`,
    '',
    table(['What', 'Wall', 'Target', 'Met'], rows),
    '',
    p && !p.error
      ? `Packages a command loads at start-up through static imports of \`cli.js\`: ${(p.cliStaticImports ?? []).join(', ') || 'none'}.`
      : '',
  ].join('\n');
}

function leafSection(tree, t) {
  const rows = tree.leafRuns.map((r, i) => [
    String(i + 1),
    sec(r.wallMs),
    sec(r.leafMs),
    sec(r.wallMs - r.leafMs),
    r.handMs === undefined ? 'n/a' : sec(r.handMs),
    r.handMs === undefined ? 'n/a' : `${fixed(ratio(r.wallMs, r.handMs))}×`,
  ]);
  return [
    `## 4. One-leaf change`,
    '',
    `A comment appended to \`provisioners/${tree.leaf}.sh\` (in the temp copy), then \`${tree.commands.leaf}\`: only ${tree.leaf} is rebuilt, the other ${tree.images.length - 1} images are reused. Compared with ${tree.leaf}'s own Packer build in that run, and with ${t.paired ? `\`packer build\` of ${tree.leaf} alone by hand, run right after from the same parent image (what a user would do by hand for this change)` : `its \`packer build\` in the hand-runs of section 1`}.`,
    '',
    table(['Run', 'Wall', `${tree.leaf} build in the run`, 'Wall − build', `${tree.leaf} by hand`, 'Wall / by hand'], rows),
    '',
    `Median: **${sec(t.leafWall)}** for the run vs ${sec(t.leafOwn)} for the leaf's build in it (+${sec(t.leafWall - t.leafOwn)}); by hand the leaf alone took ${sec(t.handLeafMs)} (×${fixed(ratio(t.leafWall, t.handLeafMs))}).`,
  ].join('\n');
}

function scaleSection(scale) {
  const s = scaleNumbers(scale);
  const rows = s.rows.map((r) => [
    count(r.n),
    String(r.levels),
    range(r.plan.runs.map((x) => x.wallMs)),
    mbKb(r.plan.maxRssKb),
    r.generate ? range(r.generate.runs.map((x) => x.wallMs)) : 'not timed',
    r.generate ? mbKb(r.generate.maxRssKb) : '–',
  ]);
  const noisy = (text, x) => (x < 0 ? `${text} (noise: below the run-to-run spread)` : text);
  const growthRows = s.marginal.map((m) => [
    `${count(m.from)} → ${count(m.to)}`,
    noisy(msText(m.planMs), m.planMs),
    Number.isFinite(m.generateMs) ? noisy(msText(m.generateMs), m.generateMs) : 'not timed',
    noisy(`${fixed((m.rssKb * 1024) / 1e3, 1)} kB`, m.rssKb),
  ]);
  const phaseTable = table(
    ['Phase', ...s.rows.map((r) => `${count(r.n)} images`)],
    [
      ['Node start-up + imports', ...s.rows.map((r) => (r.phases.error ? 'n/a' : msText(r.phases.nodeStartMs + importsMs(r.phases))))],
      ...(s.rows.some((r) => !r.phases.error && awsMs(r.phases) !== undefined)
        ? [
            [
              '… of which the AWS SDK (`targets/ami/ec2.js`)',
              ...s.rows.map((r) => (r.phases.error || awsMs(r.phases) === undefined ? 'n/a' : msText(awsMs(r.phases)))),
            ],
          ]
        : []),
      ['Load and validate the config', ...s.rows.map((r) => (r.phases.error ? 'n/a' : msText(r.phases.loadConfigMs)))],
      [
        '`packer version` + engine ping',
        ...s.rows.map((r) => (r.phases.error ? 'n/a' : msText(r.phases.packerVersionMs + r.phases.pingMs))),
      ],
      [
        'Docker engine queries (fingerprint lookups)',
        ...s.rows.map((r) =>
          r.phases.error
            ? 'n/a'
            : `${perImage(r.phases) ? '**' : ''}${msText(queries(r.phases).totalMs)}${perImage(r.phases) ? '**' : ''} (${engineCallText(r.phases)})`,
        ),
      ],
      ['Templates, fingerprints, decisions', ...s.rows.map((r) => (r.phases.error ? 'n/a' : msText(r.phases.prepareOtherMs)))],
      [
        'Rendering the plan table',
        ...s.rows.map((r) => (r.phases.error || r.phases.renderMs === undefined ? 'n/a' : msText(r.phases.renderMs))),
      ],
      ...(s.rows.some((r) => !r.phases.error && perImage(r.phases))
        ? [
            [
              '*One label query for all images instead*',
              ...s.rows.map((r) => (r.phases.error ? 'n/a' : `*${msText(r.phases.oneQuery.ms)}*`)),
            ],
          ]
        : []),
    ],
  );
  const big = s.big.phases;
  const planLike = (p) => p.nodeStartMs + importsMs(p) + p.loadConfigMs + p.prepareMs + (p.renderMs ?? 0);
  const share = big.error ? undefined : queries(big).totalMs / planLike(big);
  const projected = big.error ? undefined : planLike(big) - queries(big).totalMs + big.oneQuery.ms;
  return [
    '## 5. Scale: `plan` and `generate` on synthetic trees',
    '',
    `Synthetic projects written to the temp dir: a complete 4-ary tree (one root, ${s.rows.map((r) => `${count(r.n)} images in ${r.levels} levels`).join(', ')}), each image with 1–3 provisioners from a pool of 24 scripts made from the real ones, two variables of its own and three global ones, the real \`provisioners/lib/\`. \`build-images plan --config images.yaml\` (which asks the Docker engine for each image's fingerprint label and Packer for its version) and \`build-images generate --config images.yaml --packer-version 1.6.6\` (no Packer, no engine; \`packer/\` removed before each run, so every template is written; timed up to ${count(Math.max(...s.rows.filter((r) => r.generate).map((r) => r.n)))} images). ${plural(s.rows[0]?.plan.runs.length ?? 0, 'run')} each: median (min–max) wall time, and the highest peak memory.`,
    '',
    table(['Images', 'Levels', '`plan` wall', '`plan` peak memory', '`generate` wall', '`generate` peak memory'], rows),
    '',
    'Cost of each further image (difference of the medians):',
    '',
    table(['Images', '`plan` per image', '`generate` per image', '`plan` memory per image'], growthRows),
    '',
    `A further image costs ×${fixed(s.growth)} as much from ${count(s.marginal.at(-1)?.from ?? 0)} to ${count(s.marginal.at(-1)?.to ?? 0)} images as from ${count(s.marginal.at(-2)?.from ?? 0)} to ${count(s.marginal.at(-2)?.to ?? 0)} (about linear, taken as total plan time growing no faster than the number of images, with 25 % for noise: ${met(s.linear)}).`,
    '',
    `Where \`plan\`'s time goes (\`bench/plan-phases.mjs\`: the same preparation in one process, phase by phase; the engine held ${big.error ? 'n/a' : count(big.engineImages.count)} images):`,
    '',
    phaseTable,
    '',
    big.error
      ? ''
      : perImage(big)
        ? `On ${count(s.big.n)} images, ${fixed(share * 100, 0)} % of the time is spent in the ${count(queries(big).calls)} sequential label queries (each a \`GET /images/json?filters=…\` that the engine answers by scanning all its images, then an inspect per match). One query for every image carrying the fingerprint label takes ${msText(big.oneQuery.ms)}: with that one query instead, \`plan\` on ${count(s.big.n)} images would have taken about ${sec(projected)} in that same process instead of ${sec(planLike(big))} (its phases minus the label queries plus one query: an estimate, not a measurement).`
        : `On ${count(s.big.n)} images the process took ${sec(planLike(big))}: ${biggestPhases(big)
            .map(([what, ms]) => `${what} ${msText(ms)}`)
            .join(', ')}. The engine is asked a fixed number of times, whatever the size.`,
  ].join('\n');
}

/** apt lists and caches shipped in the OS image: deleting them in a later layer hides them but every image still carries the bytes. */
function osDeadWeight(os, root) {
  if (os.probe.error) return [];
  const bytes = (os.probe.listsKb + os.probe.cacheKb) * 1024;
  if (bytes < 1e6) return [];
  const hidden = root && !root.probe.error && root.probe.listsKb + root.probe.cacheKb < os.probe.listsKb + os.probe.cacheKb;
  return [
    `Note: \`${os.image}\` itself holds ${mb(bytes)} of apt lists and downloaded packages (${mb(os.probe.listsKb * 1024)} in /var/lib/apt/lists, ${mb(os.probe.cacheKb * 1024)} in /var/cache/apt), ${fixed((bytes / os.totalBytes) * 100, 0)} % of its size.${hidden ? ` ${root.image}'s build deletes them (the deletions in its layer), which hides them but cannot shrink anything: every image of the tree still carries those bytes in the layer below.` : ''} Removing them from the root file system before \`docker import\` (in \`examples/offline/prepare\`) would make every image that much smaller.`,
    '',
  ];
}

function sizesSection(tree, t) {
  const [os, ...built] = tree.sizes;
  const kb = (b) => `${(b / 1e3).toFixed(b < 1e5 ? 1 : 0)} kB`;
  const rows = built.map((r) => [
    r.image,
    r.parent,
    `+${mb(r.ownBytes)}`,
    String(r.newLayers),
    r.scan.error ? 'n/a' : `${count(r.scan.files)} files, ${count(r.scan.whiteouts)} deletions`,
    r.scan.error ? 'n/a' : r.scan.areas.map(([area, bytes]) => `/${area} ${mb(bytes)}`).join(', '),
    r.scan.error ? `n/a (${r.scan.error})` : r.scan.forbidden.length === 0 ? 'none' : `**${r.scan.forbidden.length}**`,
    r.scan.error ? 'n/a' : kb(r.scan.aptLogBytes),
    r.probe.error ? 'n/a' : `${r.probe.lists} (${mb(r.probe.listsKb * 1024)}) / ${mb(r.probe.cacheKb * 1024)} / ${r.probe.tmp}`,
  ]);
  const bad = built.filter((r) => !r.scan.error && r.scan.forbidden.length > 0);
  return [
    '## 6. Image sizes and layer contents',
    '',
    `The tree as it stands after the runs above. "Own layer" is the image's size minus its parent's (\`docker image inspect\` \`.Size\`); the root's parent is \`${os.image}\` (${mb(os.totalBytes)}, ${plural(os.layers, 'layer')}; in a container: ${os.probe.error ? 'n/a' : `${os.probe.lists} entries in /var/lib/apt/lists (${mb(os.probe.listsKb * 1024)}), /var/cache/apt ${mb(os.probe.cacheKb * 1024)}, ${os.probe.tmp} entries in /tmp`}). Layer contents are read from the engine's overlay2 directory of each image's top layer (\`GraphDriver.Data.UpperDir\`), so they are exactly what that image's build added or deleted. Forbidden: files under /var/lib/apt/lists, /var/cache/apt (*.bin, archives/*.deb, partial/), /var/cache/debconf/*-old, /tmp, and caches or keyrings in /root. The last column is what \`docker run --rm --network=none --entrypoint sh <id>\` sees in the whole image: entries in /var/lib/apt/lists, size of /var/cache/apt, entries in /tmp.`,
    '',
    table(
      [
        'Image',
        'Parent',
        'Own layer',
        'New layers',
        'Layer holds',
        'Largest areas',
        'Forbidden',
        'apt logs',
        'Container: apt lists / apt cache / tmp',
      ],
      rows,
    ),
    '',
    'Largest files in each own layer:',
    '',
    ...built.map(
      (r) => `- ${r.image}: ${r.scan.error ? 'n/a' : r.scan.largest.map(([path, bytes]) => `/${path} (${mb(bytes)})`).join(', ')}`,
    ),
    '',
    ...osDeadWeight(os, built[0]),
    t.clean
      ? 'Every own layer is clean: no apt lists, caches or build leftovers (target met).'
      : `**Target not met.** ${bad.map((r) => `${r.image}: ${r.scan.forbidden.slice(0, 6).join('; ')}${r.scan.forbidden.length > 6 ? `; … (${r.scan.forbidden.length} in all)` : ''}`).join('. ')}`,
  ].join('\n');
}

export function renderReport(results) {
  const s = summary(results);
  const t = results.tree ? treeNumbers(results.tree) : undefined;
  const parts = [
    '<!-- Generated by bench/run.mjs (`npm run bench`). Do not edit: run it again. -->',
    '# Benchmarks',
    '',
    `One run of \`${results.command}\` on ${results.startedAt.slice(0, 10)}, on the machine described below. It measures build-images against running \`packer build\` by hand (one after another, and in parallel), the cost of reuse, how \`plan\` and \`generate\` scale, how the scheduler does on large simulated trees, and start-up; each figure is a median of the runs listed in its section. The Docker engine was shared with other work during the run (load average ${results.machine.loadStart[0].toFixed(1)} at the start, ${results.machine.loadEnd[0].toFixed(1)} at the end, on ${results.machine.nproc} CPUs), so build times are noisy; ratios from alternating runs are steadier than absolute times.`,
    '',
    s.table,
    '',
    `Targets: ${s.verdicts.join('; ')}.`,
    '',
    ...highlights(results),
    // Facts about the run recorded next to the raw results (e.g. why a part is missing), rendered as given.
    ...(results.notes?.length ? ['Notes on this run:', '', ...results.notes.map((n) => `- ${n}`), ''] : []),
    machineSection(results),
  ];
  if (results.tree)
    parts.push(
      '',
      coldSection(results.tree, t, results.machine.nproc),
      '',
      overheadSection(results.tree, t),
      '',
      noopSection(results.tree, t),
      '',
      leafSection(results.tree, t),
    );
  if (results.scale) parts.push('', scaleSection(results.scale));
  if (results.tree) parts.push('', sizesSection(results.tree, t));
  if (results.sim) parts.push('', simSection(results.sim));
  if (results.tree || results.scale) parts.push('', startupSection(results));
  parts.push(
    '',
    '## How to run it',
    '',
    'After the README set-up (Packer, a running Docker engine, `examples/offline/prepare`, `npm ci`): `npm run build && npm run bench`. It took 5 to 12 minutes on a 2-core machine, depending on what else the machine was doing. It works in a temp dir (the repository is not written except this file), tags its images `build-images-bench/*` and `build-images-bench-hand/*` and removes the images it built at the end (`--keep` keeps them). Options: see the header of `bench/run.mjs`.',
  );
  if (results.cleanup && (results.cleanup.error || results.cleanup.built > 0))
    parts.push(
      '',
      `Clean-up of this run: ${results.cleanup.error ? `failed (${results.cleanup.error})` : `${results.cleanup.built - results.cleanup.remaining} of the ${results.cleanup.built} images the bench built were removed${results.cleanup.remaining ? ` (${results.cleanup.remaining} kept: tagged or used by someone else since)` : ''}`}.`,
    );
  return `${parts.join('\n')}\n`;
}
