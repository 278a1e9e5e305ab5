import type { Config } from '../config/types.js';
import { buildTree } from '../graph/tree.js';
import { EXIT } from './exit-codes.js';
import { table } from '../ui/format.js';

/** Pure: the text `build-images plan` prints. */
export function renderPlan(config: Config): string {
  const tree = buildTree(config.images);
  const out: string[] = [];
  const n = tree.order.length;
  out.push(`Plan for target docker: ${n} image${n === 1 ? '' : 's'} in ${tree.levels.length} level${tree.levels.length === 1 ? '' : 's'}; every image is built.`);
  out.push('');
  const rows = tree.levels.flatMap((level, depth) =>
    level.map((name) => {
      const node = tree.byName.get(name)!;
      const from = node.parent === undefined ? config.targets.docker.baseImage : `${node.parent} (this run)`;
      return [String(depth), name, 'build', from, node.image.provisioners.join(', ')];
    }),
  );
  out.push(table(['LEVEL', 'IMAGE', 'ACTION', 'FROM', 'PROVISIONERS'], rows));
  out.push('');
  out.push('Images in one level build in parallel once their parents are done. Nothing was built.');
  return `${out.join('\n')}\n`;
}

export function runPlanCommand(config: Config, write: (text: string) => void): number {
  write(renderPlan(config));
  return EXIT.ok;
}
