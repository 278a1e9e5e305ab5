/** Terraform variable files the rollout roots consume. Pure: data in, file text out. */
export const DOCKER_TFVARS_PATH = 'terraform/docker/images.auto.tfvars.json';

/** `{"images": {"<image>": "sha256:…"}}`, images in the order given (config order). */
export function renderDockerTfvars(ids: ReadonlyArray<readonly [image: string, id: string]>): string {
  const images: Record<string, string> = {};
  for (const [image, id] of ids) {
    if (!/^sha256:[0-9a-f]{64}$/.test(id)) throw new Error(`bug: refusing to write image ID ${JSON.stringify(id)} for ${image}`);
    images[image] = id;
  }
  return `${JSON.stringify({ images }, null, 2)}\n`;
}
