/** How config values and places are named in messages. */

/** "a string", "a list", "an empty value"... for "got ..." in messages. */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      // YAML reads 1e400 as Infinity: say so, rather than "a number" where a whole number was wanted.
      if (!Number.isFinite(value)) return 'a number out of range (too large to represent)';
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return String(value);
    case 'object':
      return 'a map';
    default:
      return typeof value;
  }
}

/** A short rendering of a value for messages: JSON, cut down when long. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The subject of a message for the value at `path`: `"version"`, `image "base"`,
 * `"provisioners" of image "base"`, `provisioner 2 of image "base"`, `variable "PORT"`,
 * `"targets.docker.tag"`, `item 1 of "targets.docker.run_args"`.
 */
export function describePath(path: readonly string[]): string {
  const [top, a, b, c] = path;
  if (top === undefined) return 'the config';
  if (top === 'images' && a !== undefined) {
    const image = `image ${JSON.stringify(a)}`;
    if (b === undefined) return image;
    if (c === undefined) return `${JSON.stringify(b)} of ${image}`;
    if (b === 'provisioners') return `provisioner ${Number(c) + 1} of ${image}`;
    if (b === 'variables') return `variable ${JSON.stringify(c)} of ${image}`;
  }
  if (top === 'variables' && a !== undefined && b === undefined) return `variable ${JSON.stringify(a)}`;
  const last = path.at(-1) ?? '';
  if (/^\d+$/.test(last)) {
    return `item ${Number(last) + 1} of ${JSON.stringify(path.slice(0, -1).join('.'))}`;
  }
  return JSON.stringify(path.join('.'));
}

/** Where a key sits, for "unknown key ... <container>": "at the top level", "in image "base"". */
export function describeContainer(path: readonly string[]): string {
  return path.length === 0 ? 'at the top level' : `in ${describePath(path)}`;
}
