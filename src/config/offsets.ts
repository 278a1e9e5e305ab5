import type { LineCounter } from 'yaml';
import type { SourceLocation } from './diagnostic.js';
import type { NodeInfo } from './locations.js';

/**
 * One file's text and the line starts yaml's LineCounter recorded while lexing it: turns offsets into
 * locations when one is asked for.
 */
export class SourceText {
  constructor(
    readonly file: string,
    readonly text: string,
    private readonly lines: LineCounter,
  ) {}

  /** The location of [start, end), its underline cut at the end of the first line. */
  locate(start: number, end: number): SourceLocation {
    const { line, col } = this.lines.linePos(start);
    const lineEnd = this.text.indexOf('\n', start);
    const stop = Math.min(end, lineEnd === -1 ? this.text.length : lineEnd);
    return { file: this.file, line, column: col, length: Math.max(1, stop - start) };
  }
}

/**
 * Where one value (and its key) was written, kept as offsets. A large config has hundreds of thousands
 * of values and a valid one needs the line and column of almost none of them: each is worked out (with a
 * binary search over the line starts) the first time a rule or message asks, then kept.
 */
export class OffsetInfo implements NodeInfo {
  #value: SourceLocation | undefined;
  #key: SourceLocation | undefined;

  /**
   * `start` is -1 for a value with no text of its own (an empty value: it is then located at its key, or
   * at the top of the file); `keyStart` is -1 for list items and the root.
   */
  constructor(
    private readonly src: SourceText,
    private readonly start: number,
    private readonly end: number,
    private readonly keyStart: number,
    private readonly keyEnd: number,
    readonly source?: string,
  ) {}

  get value(): SourceLocation {
    if (this.#value !== undefined) return this.#value;
    if (this.start >= 0) this.#value = this.src.locate(this.start, this.end);
    else this.#value = this.key ?? { file: this.src.file, line: 1, column: 1 };
    return this.#value;
  }

  get key(): SourceLocation | undefined {
    if (this.keyStart < 0) return undefined;
    return (this.#key ??= this.src.locate(this.keyStart, this.keyEnd));
  }

  /** The same place, with `source` (the text of a number or boolean) replaced. */
  withSource(source: string | undefined): OffsetInfo {
    return new OffsetInfo(this.src, this.start, this.end, this.keyStart, this.keyEnd, source);
  }
}

/** A NodeInfo as plain data (what OffsetInfo works out), for tests and for comparing. */
export function plainInfo(info: NodeInfo | undefined): NodeInfo | undefined {
  if (info === undefined) return undefined;
  const key = info.key;
  return {
    value: info.value,
    ...(key === undefined ? {} : { key }),
    ...(info.source === undefined ? {} : { source: info.source }),
  };
}
