/** A path into the config value: map keys and list indexes, outermost first. */
export type ValuePath = readonly (string | number)[];

/** RFC 6901 JSON pointer, the form Ajv reports in `instancePath`. The root is "". */
export function toPointer(path: ValuePath): string {
  let pointer = '';
  for (const part of path) pointer += '/' + escape(part);
  return pointer;
}

/**
 * One pointer segment. Called for every value of the config (the parser records each one's place, the rules
 * look places up): names rarely hold "~" or "/", so those skip the two replaceAll passes.
 */
function escape(part: string | number): string {
  if (typeof part === 'number') return String(part);
  if (!part.includes('~') && !part.includes('/')) return part;
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Inverse of toPointer; list indexes come back as strings, which is all callers need. */
export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function childPointer(pointer: string, part: string | number): string {
  return pointer + '/' + escape(part);
}

/** The pointer of the enclosing map or list; undefined for the root. */
export function parentPointer(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  return pointer.slice(0, pointer.lastIndexOf('/'));
}
