/**
 * The config after overlaying and a schema check that found its shape right (every value of
 * the right type, nothing required missing). Values may still break rules (names, version),
 * which is why `version` stays unknown here; config/normalise.ts only sees a RawConfig that
 * produced no diagnostics at all.
 */
export type RawVariableValue = string | number | boolean;

export interface RawConfig {
  readonly version: unknown;
  readonly variables?: Readonly<Record<string, RawVariableValue>>;
  readonly targets?: { readonly docker?: RawDockerTarget };
  readonly images: Readonly<Record<string, RawImage>>;
}

export interface RawDockerTarget {
  readonly base_image?: string;
  readonly repository?: string;
  readonly tag?: string;
  readonly run_args?: readonly string[];
  readonly concurrency?: number;
}

export interface RawImage {
  readonly parent?: string;
  readonly provisioners: readonly string[];
  readonly variables?: Readonly<Record<string, RawVariableValue>>;
}
