/**
 * Parser for `packer build -machine-readable` output:
 *   timestamp,target,type,data...
 * Commas inside data are written as `%!(PACKER_COMMA)`, newlines as a literal `\n`, carriage returns as `\r`.
 */
export interface MachineLine {
  readonly timestamp: number;
  /** The build, e.g. "docker.base"; empty for global lines. */
  readonly target: string;
  readonly type: string;
  readonly data: readonly string[];
}

export function parseMachineLine(line: string): MachineLine | undefined {
  const parts = line.replace(/\r?\n$/, '').split(',');
  if (parts.length < 3) return undefined;
  const [ts, target, type, ...data] = parts as [string, string, string, ...string[]];
  if (!/^\d+$/.test(ts)) return undefined;
  return { timestamp: Number(ts), target, type, data: data.map(unescapeField) };
}

export function unescapeField(field: string): string {
  return field.replaceAll('%!(PACKER_COMMA)', ',').replaceAll('\\n', '\n').replaceAll('\\r', '\r');
}

export interface Artifact {
  readonly index: number;
  readonly builderId: string;
  /** The raw artifact id: for docker "sha256:…", for amazon-ebs "us-east-1:ami-…,eu-west-1:ami-…". */
  readonly id: string;
  readonly description: string;
}

/** Folds the `artifact` lines of one build target into artifacts, in index order. */
export class ArtifactCollector {
  private readonly byTarget = new Map<string, Map<number, { builderId?: string; id?: string; description?: string }>>();

  add(line: MachineLine): void {
    if (line.type !== 'artifact') return;
    const [indexText, key, ...rest] = line.data;
    if (indexText === undefined || key === undefined || !/^\d+$/.test(indexText)) return;
    const value = rest.join(',');
    const artifacts = this.byTarget.get(line.target) ?? new Map();
    this.byTarget.set(line.target, artifacts);
    const artifact = artifacts.get(Number(indexText)) ?? {};
    artifacts.set(Number(indexText), artifact);
    if (key === 'builder-id') artifact.builderId = value;
    else if (key === 'id') artifact.id = value;
    else if (key === 'string') artifact.description = value;
  }

  artifacts(target: string): Artifact[] {
    const found = this.byTarget.get(target);
    if (!found) return [];
    return [...found.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([index, a]) =>
        a.builderId !== undefined && a.id !== undefined && a.id !== ''
          ? [{ index, builderId: a.builderId, id: a.id, description: a.description ?? '' }]
          : [],
      );
  }
}

/** Builder IDs whose artifact id is the committed Docker image ID (1.6 core builder, and the 1.7+ plugin). */
const DOCKER_IMAGE_BUILDERS = new Set(['packer.docker', 'packer.post-processor.docker-import']);

/** The committed image's ID from a docker build's artifacts; tag artifacts (`repo:tag`) are skipped. */
export function dockerImageId(artifacts: readonly Artifact[]): string | undefined {
  const image = artifacts.find((a) => DOCKER_IMAGE_BUILDERS.has(a.builderId) && /^sha256:[0-9a-f]{64}$/.test(a.id));
  return image?.id;
}

/** The text a person would have seen without -machine-readable, for the build log. */
export function humanText(line: MachineLine): string | undefined {
  if (line.type === 'ui') {
    const [, message] = line.data;
    return message;
  }
  if (line.type === 'error') return `error: ${line.data.join(',')}`;
  return undefined;
}
