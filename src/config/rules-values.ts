import { diagnostic } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { describePath, show } from './describe.js';
import { dockerReferenceProblem } from './docker-reference.js';
import { locate, type LocationMap } from './locations.js';
import { toPointer } from './pointer.js';
import type { RawConfig, RawVariableValue } from './raw.js';

/**
 * The kernel refuses to start a process with one environment entry ("NAME=value") over MAX_ARG_STRLEN,
 * 128 KiB on Linux, or with all of them over ARG_MAX (usually 2 MiB, shared with the arguments): the
 * provisioner's exec fails with "Argument list too long", after the build started. Our limits stay well
 * below both, so every image's environment fits wherever it runs.
 */
export const MAX_VARIABLE_BYTES = 64 * 1024;
export const MAX_IMAGE_ENVIRONMENT_BYTES = 1024 * 1024;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const kib = (n: number): string => `${Math.round(n / 1024)} KiB`;

/**
 * Whether `s` is at most `limit` bytes in UTF-8, counting only when it could be over: a UTF-16 code unit
 * takes at most 3 bytes (a surrogate pair, two units, takes 4), so a string of up to limit/3 units fits.
 */
const fitsIn = (s: string, limit: number): boolean => s.length * 3 <= limit || bytes(s) <= limit;

/** The same bound for a whole environment ("NAME=value\0" per entry): exact sums only for big ones. */
function environmentFits(env: Readonly<Record<string, RawVariableValue>>): boolean {
  let units = 0;
  for (const name in env) units += name.length + String(env[name]).length + 2;
  return units * 3 <= MAX_IMAGE_ENVIRONMENT_BYTES;
}

/** Values the schema cannot judge: variable values a process environment can hold, the Docker base image reference. */
export function checkValues(raw: RawConfig, locations: LocationMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (variables: Readonly<Record<string, RawVariableValue>> | undefined, path: readonly string[]): void => {
    for (const [name, value] of Object.entries(variables ?? {})) {
      if (typeof value !== 'string') continue;
      const nul = value.includes('\0');
      const tooLarge = !fitsIn(value, MAX_VARIABLE_BYTES);
      // Nearly every value passes: where it is and how to name it only for the others.
      if (!nul && !tooLarge) continue;
      const at = locate(locations, toPointer([...path, name]));
      const subject = describePath([...path, name]);
      if (nul) {
        out.push(
          diagnostic(
            'variable-nul',
            `${subject} contains a NUL byte (\\0), which no environment variable can hold: it would silently cut the value short`,
            at,
            'remove the NUL; to pass binary data, encode it (e.g. base64) and decode it in the provisioner',
          ),
        );
      }
      if (tooLarge) {
        out.push(
          diagnostic(
            'variable-too-large',
            `${subject} is ${kib(bytes(value))} (${bytes(value)} bytes); a variable may hold at most ${kib(MAX_VARIABLE_BYTES)}`,
            at,
            'an environment variable that large makes the provisioner fail with "Argument list too long": put the data in a file in provisioners/lib/ and read it there',
          ),
        );
      }
    }
  };
  check(raw.variables, ['variables']);
  for (const [image, config] of Object.entries(raw.images)) {
    check(config.variables, ['images', image, 'variables']);
    const env = { ...raw.variables, ...config.variables };
    if (environmentFits(env)) continue;
    const total = Object.entries(env).reduce((sum, [k, v]) => sum + bytes(k) + bytes(String(v)) + 2, 0);
    const oneTooLarge = Object.values(env).some((v) => bytes(String(v)) > MAX_VARIABLE_BYTES);
    if (total > MAX_IMAGE_ENVIRONMENT_BYTES && !oneTooLarge) {
      out.push(
        diagnostic(
          'environment-too-large',
          `the variables of image ${JSON.stringify(image)} (global and its own) add up to ${kib(total)}; at most ${kib(MAX_IMAGE_ENVIRONMENT_BYTES)} fit in a provisioner's environment`,
          locate(locations, toPointer(['images', image]), 'key'),
          'put large data in files in provisioners/lib/ and read them there',
        ),
      );
    }
  }
  const base = raw.targets?.docker?.base_image;
  // One with spaces the schema already reported ("without spaces"); one message per mistake.
  const problem = base === undefined || /\s/.test(base) ? undefined : dockerReferenceProblem(base);
  if (base !== undefined && problem !== undefined) {
    out.push(
      diagnostic(
        'invalid-base-image',
        `"targets.docker.base_image" is not a Docker image reference: ${problem}: ${show(base)}`,
        locate(locations, toPointer(['targets', 'docker', 'base_image'])),
        'write [registry[:port]/]name[:tag][@sha256:digest] with a lower-case name, e.g. "debian:bookworm" or "127.0.0.1:5000/team/base:1.0"',
      ),
    );
  }
  return out;
}
