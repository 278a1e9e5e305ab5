import type { ImageConfig } from '../config/types.js';

/** The image tree as plain data: what depends on what, and in which order things may run. */
export interface ImageNode {
  readonly name: string;
  readonly parent: string | undefined;
  readonly children: readonly string[];
  /** 0 for roots. */
  readonly depth: number;
  readonly image: ImageConfig;
}

export interface ImageTree {
  /** Parents before children; within a level, config order. */
  readonly order: readonly ImageNode[];
  readonly levels: readonly (readonly string[])[];
  readonly byName: ReadonlyMap<string, ImageNode>;
}

/**
 * Builds the tree from validated images. Validation has already rejected unknown parents and cycles,
 * so meeting one here is a bug, not a user error.
 */
export function buildTree(images: readonly ImageConfig[]): ImageTree {
  const configByName = new Map(images.map((i) => [i.name, i]));
  const children = new Map<string, string[]>(images.map((i) => [i.name, []]));
  for (const image of images) {
    if (image.parent === undefined) continue;
    const siblings = children.get(image.parent);
    if (!siblings) throw new Error(`bug: image ${image.name} has unknown parent ${image.parent}`);
    siblings.push(image.name);
  }
  const levels: string[][] = [];
  const byName = new Map<string, ImageNode>();
  let level = images.filter((i) => i.parent === undefined).map((i) => i.name);
  while (level.length > 0) {
    levels.push(level);
    for (const name of level) {
      const image = configByName.get(name)!;
      byName.set(name, { name, parent: image.parent, children: children.get(name) ?? [], depth: levels.length - 1, image });
    }
    level = level.flatMap((name) => children.get(name) ?? []);
  }
  if (byName.size !== images.length) {
    const stuck = images.filter((i) => !byName.has(i.name)).map((i) => i.name);
    throw new Error(`bug: images in a cycle reached the planner: ${stuck.join(', ')}`);
  }
  return { order: levels.flat().map((n) => byName.get(n)!), levels, byName };
}

/** Every image below `name`, nearest first. */
export function descendants(tree: ImageTree, name: string): string[] {
  // The output doubles as the queue: no shift() (quadratic) and no spread of a child list (a node may have 100,000 children).
  const out: string[] = [];
  for (const child of tree.byName.get(name)?.children ?? []) out.push(child);
  for (let i = 0; i < out.length; i++) for (const child of tree.byName.get(out[i]!)?.children ?? []) out.push(child);
  return out;
}

/** `name` and its ancestors, root first. */
export function ancestry(tree: ImageTree, name: string): string[] {
  const chain: string[] = [];
  for (let at = tree.byName.get(name); at; at = at.parent === undefined ? undefined : tree.byName.get(at.parent)) {
    chain.push(at.name);
  }
  return chain.reverse();
}
