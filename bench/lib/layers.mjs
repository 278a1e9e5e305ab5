// Image sizes and what each image's own layer holds. On a local overlay2 engine the top layer of an
// image is a directory on this machine (GraphDriver.Data.UpperDir): it is read directly, so the
// check sees exactly what the image's provisioners added, not what the parent already had.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runOk } from './proc.mjs';

/** What must not be left in a layer: apt lists and caches, and build leftovers. */
const FORBIDDEN = [
  [/^var\/lib\/apt\/lists\/./, 'apt lists'],
  [/^var\/cache\/apt\/[^/]+\.bin$/, 'apt package cache'],
  [/^var\/cache\/apt\/archives\/[^/]+\.deb$/, 'downloaded .deb'],
  [/^var\/cache\/apt\/archives\/partial\/./, 'partial download'],
  [/^var\/cache\/debconf\/[^/]+-old$/, 'debconf backup'],
  [/^tmp\/./, 'left in /tmp'],
  [/^root\/\.(cache|gnupg|wget-hsts|bash_history)/, 'left in /root'],
];
const APT_LOG = /^var\/log\/(apt\/|dpkg\.log|alternatives\.log)/;

export async function inspectImages(refs) {
  const r = await runOk('docker', ['image', 'inspect', ...refs]);
  return JSON.parse(r.stdout);
}

/** Walks one layer directory: files, bytes, whiteouts (deletions), forbidden paths, bytes by area. */
export async function scanLayer(dir) {
  const out = { files: 0, bytes: 0, whiteouts: 0, forbidden: [], aptLogBytes: 0, byArea: new Map(), largest: [] };
  async function walk(rel) {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const st = await lstat(join(dir, path));
      if (st.isDirectory()) {
        await walk(path);
        continue;
      }
      // overlay2 records a deletion as a 0:0 character device: no content, nothing added.
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.whiteouts++;
        continue;
      }
      out.files++;
      out.bytes += st.size;
      const area = path.split('/').slice(0, 2).join('/');
      out.byArea.set(area, (out.byArea.get(area) ?? 0) + st.size);
      out.largest.push([path, st.size]);
      if (APT_LOG.test(path)) out.aptLogBytes += st.size;
      const hit = FORBIDDEN.find(([re]) => re.test(path));
      if (hit) out.forbidden.push(`${hit[1]}: /${path}`);
    }
  }
  await walk('');
  out.largest = out.largest.sort((a, b) => b[1] - a[1]).slice(0, 3);
  out.areas = [...out.byArea].sort((a, b) => b[1] - a[1]).slice(0, 3);
  delete out.byArea;
  return out;
}

/** What a container of the image sees (the brief's check): apt lists (entries, kB), /var/cache/apt (kB), /tmp entries. */
export async function probe(ref) {
  const script = [
    'ls -A /var/lib/apt/lists 2>/dev/null | wc -l',
    'du -sk /var/lib/apt/lists 2>/dev/null | cut -f1',
    'du -sk /var/cache/apt 2>/dev/null | cut -f1',
    'ls -A /tmp 2>/dev/null | wc -l',
  ]
    .map((c) => `echo "$(${c})"`)
    .join('; ');
  const r = await run('docker', ['run', '--rm', '--network=none', '--entrypoint', 'sh', ref, '-c', script], { timeoutMs: 120_000 });
  const [lists, listsKb, cacheKb, tmp] = r.stdout
    .trim()
    .split(/\s+/)
    .map((x) => Number(x || 0));
  return r.code === 0 ? { lists, listsKb, cacheKb, tmp } : { error: r.stderr.trim() };
}

/**
 * Sizes of a built tree: each image's own layer over its parent (the root's over the base image),
 * with the layer's contents checked.
 */
export async function imageSizes(config, idsByImage) {
  const baseImage = config.targets.docker.baseImage;
  const refs = [baseImage, ...config.images.map((i) => idsByImage[i.name])];
  const infos = await inspectImages(refs);
  const byRef = new Map(refs.map((ref, i) => [ref, infos[i]]));
  const base = byRef.get(baseImage);
  const rows = [
    {
      image: baseImage,
      ref: baseImage,
      parent: null,
      totalBytes: base.Size,
      ownBytes: base.Size,
      layers: base.RootFS.Layers.length,
      probe: await probe(baseImage),
    },
  ];
  for (const image of config.images) {
    const id = idsByImage[image.name];
    const info = byRef.get(id);
    const parentRef = image.parent === undefined ? baseImage : idsByImage[image.parent];
    const parent = byRef.get(parentRef);
    const upper = info.GraphDriver?.Name === 'overlay2' ? info.GraphDriver.Data?.UpperDir : undefined;
    const scan = upper
      ? await scanLayer(upper).catch((e) => ({ error: e.message }))
      : { error: `storage driver ${info.GraphDriver?.Name}: layer not readable here` };
    rows.push({
      image: image.name,
      ref: id,
      parent: image.parent ?? baseImage,
      totalBytes: info.Size,
      ownBytes: info.Size - parent.Size,
      newLayers: info.RootFS.Layers.length - parent.RootFS.Layers.length,
      scan,
      probe: await probe(id),
    });
  }
  return rows;
}
