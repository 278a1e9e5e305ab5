import { err, ok, type Result } from '../../result.js';

/** What amazon-ebs's temporary_security_group_source_public_ip (plugin >= 1.1) asks too. */
export const CHECKIP_URL = 'https://checkip.amazonaws.com/';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/**
 * This machine's public IPv4 address as a /32, for the build instance's temporary security group: SSH
 * from here only, instead of Packer's default 0.0.0.0/0. Packer 1.6 cannot find it out by itself.
 */
export async function builderCidr(
  options: { readonly fetch?: typeof fetch; readonly signal?: AbortSignal; readonly url?: string; readonly timeoutMs?: number } = {},
): Promise<Result<string, string>> {
  const url = options.url ?? CHECKIP_URL;
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 10_000), ...(options.signal ? [options.signal] : [])];
  try {
    const response = await (options.fetch ?? fetch)(url, { signal: AbortSignal.any(signals) });
    const text = (await response.text()).trim();
    if (!response.ok) return err(`could not learn this machine's public IP address: ${url} answered ${response.status}`);
    if (!IPV4.test(text))
      return err(
        `could not learn this machine's public IP address: ${url} answered ${JSON.stringify(text.slice(0, 60))}, not an IPv4 address`,
      );
    return ok(`${text}/32`);
  } catch (e: unknown) {
    return err(`could not learn this machine's public IP address from ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
