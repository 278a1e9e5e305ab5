/**
 * HCL literal rendering. Only values the tool controls go through here (image names that passed the
 * name rule, fixed paths); user values travel in the JSON variables file, never in template text.
 * Escaping is still complete so a mistake elsewhere cannot turn into template structure.
 */
/** Anything the slow path below would change: a quote, a backslash, a control character, a `$` or `%` sigil. */
const NEEDS_ESCAPE = /[\\"\u0000-\u001f\u007f$%]/;

export function hclString(value: string): string {
  // Most values (image names, paths, descriptions) need no escape: one regex test instead of a loop per character.
  if (!NEEDS_ESCAPE.test(value)) return `"${value}"`;
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
      }
    }
  }
  // `${` and `%{` open template sequences inside HCL quoted strings; doubling the sigil makes them literal.
  // (A function replacement: in a replacement string `$$` would mean a single `$`.)
  return `"${out.replace(/([$%])\{/g, (_m, sigil: string) => `${sigil}${sigil}{`)}"`;
}


const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A block label or attribute name; the config's name rule guarantees this, so a violation is a bug. */
export function hclLabel(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not an HCL identifier: ${JSON.stringify(name)}`);
  return name;
}
