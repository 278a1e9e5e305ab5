/** A user error in the config or on the command line: a stable code, a message, and where it is. */
export interface SourceLocation {
  /** Path of the file as the user named it (relative to the working directory when inside it). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Length of the offending text on that line, for the underline (>= 1). */
  readonly length?: number;
}

export interface Diagnostic {
  /** Stable, kebab-case, e.g. "unknown-parent". Tests and docs key on it. */
  readonly code: string;
  readonly message: string;
  readonly location?: SourceLocation;
  /** What to do about it. */
  readonly hint?: string;
}
