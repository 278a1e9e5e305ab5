import type { ImageTree } from '../../graph/tree.js';
import { amiTemplatePath, renderAmiTemplate } from '../../packer/render-ami.js';
import type { PackerVersion } from '../../packer/version.js';

export const AMI_TEMPLATE_DIR = 'packer/ami';

/** Pure: every amazon-ebs template the tree needs (same shape as engine/generate.ts's GeneratedFile). */
export function amiTemplates(
  tree: ImageTree,
  packer: PackerVersion,
  uploadLib: boolean,
): Array<{ readonly path: string; readonly content: string }> {
  return tree.order.map((node) => ({
    path: amiTemplatePath(node.name),
    content: renderAmiTemplate({
      image: node.name,
      root: node.parent === undefined,
      provisioners: node.image.provisioners,
      uploadLib,
      packer,
    }),
  }));
}
