import type { Config } from '../config/types.js';

/** The config's secrets from the environment; names that are unset are an error before anything runs. */
export function resolveSecrets(
  config: Config,
  env: NodeJS.ProcessEnv,
): { ok: true; value: Record<string, string> } | { ok: false; message: string } {
  const names = config.secrets ?? [];
  const missing = names.filter((name) => env[name] === undefined);
  if (missing.length > 0) {
    return {
      ok: false,
      message: `error: secret${missing.length === 1 ? '' : 's'} ${missing.join(', ')} listed under \`secrets\` in ${config.files.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set in the environment\n  hint: export ${missing[0]}=… before running build-images (the value is passed to provisioners and never written or logged)`,
    };
  }
  return { ok: true, value: Object.fromEntries(names.map((name) => [name, env[name]!])) };
}
