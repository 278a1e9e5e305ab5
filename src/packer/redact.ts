/**
 * Secrets never reach a log or the terminal, whatever a provisioner prints. Packer's output arrives one
 * line at a time, so a multi-line secret (a PEM key) must be redacted line by line, not only whole; and a
 * provisioner that prints a secret base64-, hex- or URL-encoded must not leak it either (the encodings that
 * cost nothing to look for: of the whole value, and base64 as `base64` wraps it, at 76 columns).
 */

/** Lines of a multi-line secret shorter than this are not redacted on their own: "}" or "" would blank the log. */
const MIN_LINE = 4;

const cache = new WeakMap<readonly string[], readonly string[]>();

/** Every text to replace for these secrets, longest first, so a whole value wins over one of its lines. */
export function redactionNeedles(secrets: readonly string[]): readonly string[] {
  const cached = cache.get(secrets);
  if (cached) return cached;
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    needles.add(secret);
    const lines = secret.split(/\r?\n/);
    if (lines.length > 1) for (const line of lines) if (line.trim().length >= MIN_LINE) needles.add(line.trim());
    const bytes = Buffer.from(secret, 'utf8');
    const b64 = bytes.toString('base64');
    for (const encoded of [b64, b64.replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('hex'), encodeURIComponent(secret)]) {
      needles.add(encoded);
    }
    if (b64.length > 76) for (const chunk of b64.match(/.{1,76}/g) ?? []) if (chunk.length >= MIN_LINE) needles.add(chunk);
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  cache.set(secrets, sorted);
  return sorted;
}

export function redact(text: string, secrets: readonly string[] | undefined): string {
  if (secrets === undefined || secrets.length === 0) return text;
  let out = text;
  for (const needle of redactionNeedles(secrets)) if (out.includes(needle)) out = out.split(needle).join('[redacted]');
  return out;
}
