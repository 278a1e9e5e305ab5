import type { Config } from '../config/types.js';
import { prepareRun, SELECT_ALL } from '../engine/prepare.js';
import type { Target, TargetDefinition } from '../targets/target.js';
import { buildTree, type ImageNode, type ImageTree } from '../graph/tree.js';
import type { Packer } from '../packer/run.js';
import { shortId } from '../ui/format.js';
import { describeRunFailure } from '../engine/failure.js';
import { EXIT } from './exit-codes.js';
import { planEntries, type PlanEntry } from './plan.js';

import type { GraphFormat } from './graph-formats.js';
export { GRAPH_FORMATS, type GraphFormat } from './graph-formats.js';

/** What `plan` decided for an image. */
export type GraphMark = Pick<PlanEntry, 'action' | 'id' | 'shown' | 'reasons'>;
/** By image; undefined when the graph is drawn without --plan. */
export type GraphMarks = ReadonlyMap<string, GraphMark>;

export interface GraphInput {
  readonly tree: ImageTree;
  /** What the root images are built from: the base image, or the source AMI filter. */
  readonly baseImage: string;
  readonly marks?: GraphMarks;
}

/** Pure: the image tree in one of the formats. */
export function renderGraph(input: GraphInput, format: GraphFormat): string {
  switch (format) {
    case 'text':
      return renderText(input);
    case 'mermaid':
      return renderMermaid(input);
    case 'dot':
      return renderDot(input);
  }
}

/** "build: forced", "reuse 78c7432c54dd", "not selected": the words `plan` uses. */
function markText(mark: GraphMark, withReasons: boolean): string {
  switch (mark.action) {
    case 'build': {
      // The first reason and a count keep a line readable; `plan` lists them all.
      const [first, ...more] = mark.reasons ?? [];
      if (!withReasons || first === undefined) return 'build';
      return `build: ${first}${more.length > 0 ? ` (+${more.length} more)` : ''}`;
    }
    case 'reuse':
      return `reuse ${mark.shown ?? shortId(mark.id ?? '')}`;
    case 'absent':
      return 'not selected';
  }
}

const roots = (tree: ImageTree): ImageNode[] => tree.order.filter((n) => n.parent === undefined);
const childrenOf = (tree: ImageTree, node: ImageNode): ImageNode[] => node.children.map((c) => tree.byName.get(c)!);

/**
 *     ubuntu:22.04
 *     └── base: node-exporter, consul  [reuse 78c7432c54dd]
 *         ├── consul: consul-server  [build: forced]
 */
function renderText({ tree, baseImage, marks }: GraphInput): string {
  const lines = [baseImage];
  const walk = (node: ImageNode, prefix: string, last: boolean): void => {
    const mark = marks?.get(node.name);
    const scripts = node.image.provisioners.length > 0 ? `: ${node.image.provisioners.join(', ')}` : '';
    lines.push(`${prefix}${last ? '└── ' : '├── '}${node.name}${scripts}${mark ? `  [${markText(mark, true)}]` : ''}`);
    const kids = childrenOf(tree, node);
    kids.forEach((child, i) => walk(child, `${prefix}${last ? '    ' : '│   '}`, i === kids.length - 1));
  };
  const top = roots(tree);
  top.forEach((node, i) => walk(node, '', i === top.length - 1));
  return `${lines.join('\n')}\n`;
}

/** Plan colours shared by the Mermaid and DOT renderings. */
const COLOURS = { build: { fill: '#fde68a', stroke: '#b45309' }, reuse: { fill: '#d1fae5', stroke: '#047857' } } as const;

/** Image names are `[a-z][a-z0-9]*([-_][a-z0-9]+)*`; Mermaid ids must avoid `-` and keywords such as `end`. */
const mermaidId = (name: string): string => `img_${name.split('-').join('__')}`;
const mermaidText = (text: string): string => text.replace(/"/g, '#quot;');

function renderMermaid({ tree, baseImage, marks }: GraphInput): string {
  const lines = ['flowchart TD', `  base_image(["${mermaidText(baseImage)}"])`];
  for (const node of tree.order) {
    const mark = marks?.get(node.name);
    const label = [node.name, node.image.provisioners.join(', '), mark ? markText(mark, false) : '']
      .filter((l) => l !== '')
      .map(mermaidText)
      .join('<br/>');
    lines.push(`  ${mermaidId(node.name)}["${label}"]${mark ? `:::${mark.action}` : ''}`);
  }
  for (const node of tree.order) {
    lines.push(`  ${node.parent === undefined ? 'base_image' : mermaidId(node.parent)} --> ${mermaidId(node.name)}`);
  }
  if (marks) {
    lines.push(`  classDef build fill:${COLOURS.build.fill},stroke:${COLOURS.build.stroke}`);
    lines.push(`  classDef reuse fill:${COLOURS.reuse.fill},stroke:${COLOURS.reuse.stroke}`);
    lines.push('  classDef absent stroke-dasharray:4 4');
  }
  return `${lines.join('\n')}\n`;
}

const dotString = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function renderDot({ tree, baseImage, marks }: GraphInput): string {
  const lines = [
    'digraph images {',
    '  rankdir=TB;',
    '  node [shape=box];',
    `  "_base_image" [label=${dotString(baseImage)}, shape=oval, style=dashed];`,
  ];
  for (const node of tree.order) {
    const mark = marks?.get(node.name);
    // Each part is escaped on its own so that the `\n` between them stays DOT's line break.
    const label = [node.name, node.image.provisioners.join(', '), mark ? markText(mark, false) : '']
      .filter((l) => l !== '')
      .map((l) => dotString(l).slice(1, -1))
      .join('\\n');
    const style =
      mark === undefined
        ? ''
        : mark.action === 'absent'
          ? ', style=dashed'
          : `, style=filled, fillcolor="${COLOURS[mark.action].fill}", color="${COLOURS[mark.action].stroke}"`;
    lines.push(`  ${dotString(node.name)} [label="${label}"${style}];`);
  }
  for (const node of tree.order) {
    lines.push(`  ${dotString(node.parent ?? '_base_image')} -> ${dotString(node.name)};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** `build-images graph`: needs Packer and the target's engine or account only with --plan. */
export async function runGraphCommand(
  config: Config,
  options: {
    format: GraphFormat;
    plan: boolean;
    /** The target the graph is drawn for: its root source heads the graph. */
    definition: TargetDefinition;
    deps: () => Promise<{ packer: Packer; target: Target<unknown> } | undefined>;
  },
  write: (text: string) => void,
): Promise<number> {
  const baseImage = options.definition.rootSource(config);
  if (!options.plan) {
    write(renderGraph({ tree: buildTree(config.images), baseImage }, options.format));
    return EXIT.ok;
  }
  const deps = await options.deps();
  if (!deps) return EXIT.badInput;
  const prepared = await prepareRun(config, deps, SELECT_ALL);
  if (!prepared.ok) {
    process.stderr.write(`error: ${describeRunFailure(prepared.error)}\n`);
    return EXIT.buildFailed;
  }
  const marks = new Map(planEntries(prepared.value, deps.target).map((e) => [e.image, e]));
  write(renderGraph({ tree: prepared.value.tree, baseImage, marks }, options.format));
  return EXIT.ok;
}
