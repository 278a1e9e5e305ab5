import type { ImageTree } from '../../graph/tree.js';
import { amiTemplatePath, renderAmiTemplate } from '../../packer/render-ami.js';
import type { PackerVersion } from '../../packer/version.js';
import type { GeneratedFile } from '../target.js';

export const AMI_TEMPLATE_DIR = 'packer/ami';

/** Pure: every amazon-ebs template the tree needs . */
export function amiTemplates(tree: ImageTree, packer: PackerVersion, uploadLib: boolean): GeneratedFile[] {
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
