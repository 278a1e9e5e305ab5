import type { ImageTree } from '../../graph/tree.js';
import { dockerTemplatePath, renderDockerTemplate } from '../../packer/render-docker.js';
import type { PackerVersion } from '../../packer/version.js';
import type { GeneratedFile } from '../target.js';

export const DOCKER_TEMPLATE_DIR = 'packer/docker';

/** Pure: every Docker template the tree needs. */
export function dockerTemplates(tree: ImageTree, packer: PackerVersion, uploadLib: boolean): GeneratedFile[] {
  return tree.order.map((node) => ({
    path: dockerTemplatePath(node.name),
    content: renderDockerTemplate({ image: node.name, provisioners: node.image.provisioners, uploadLib, packer }),
  }));
}
