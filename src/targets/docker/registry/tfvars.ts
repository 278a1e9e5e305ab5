/**
 * `{"images": {"<image>": "<registry>/<image>@sha256:…"}}`: the tfvars file with a registry, in the shape of
 * the local one (terraform/docker reads both). Pure; images in the order given (config order).
 */
const PINNED = /^[^\s@]+@sha256:[0-9a-f]{64}$/;

export function renderRegistryTfvars(refs: ReadonlyArray<readonly [image: string, ref: string | undefined]>): string {
  const images: Record<string, string> = {};
  for (const [image, ref] of refs) {
    if (ref === undefined || !PINNED.test(ref))
      throw new Error(`bug: refusing to write ${JSON.stringify(ref)} for ${image}: not digest-pinned`);
    images[image] = ref;
  }
  return `${JSON.stringify({ images }, null, 2)}\n`;
}

export const isPinnedReference = (value: string): boolean => PINNED.test(value);
