/**
 * Docker image references, checked as the engine will parse them: the grammar of distribution/reference
 * (regexp.go: name, tag, digest; normalize.go: ParseNormalizedNamed's "must be lowercase" and domain split;
 * reference.go: NameTotalLengthMax = 255), plus what ParseAnyReference also takes: an image ID
 * (`sha256:<64 hex>` or 64 hex alone). go-digest accepts a sha256 digest only with exactly 64 hex digits.
 * Returns why a reference is invalid, or undefined when it is valid.
 */
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN = new RegExp(`^${host}(?::[0-9]+)?$`);
const REMOTE_NAME = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

export function dockerReferenceProblem(ref: string): string | undefined {
  if (IMAGE_ID.test(ref)) return undefined;
  const [named = '', digest, ...more] = ref.split('@');
  if (more.length > 0) return 'it holds more than one "@"';
  if (digest !== undefined) {
    if (!DIGEST.test(digest)) return `the digest ${JSON.stringify(digest)} is not <algorithm>:<hex digits>`;
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      return `the digest ${JSON.stringify(digest)} is not "sha256:" and 64 lower-case hex digits`;
    }
  }
  // A ":" after the last "/" starts the tag; one before it belongs to a registry port.
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? named : named.slice(0, colon);
  const tag = colon === -1 ? undefined : named.slice(colon + 1);
  if (tag !== undefined && !TAG.test(tag)) {
    return `the tag ${JSON.stringify(tag)} is not 1 to 128 letters, digits, "_", "." or "-", starting with a letter, digit or "_"`;
  }
  if (name === '') return 'it has no repository name';
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // normalize.go splitDockerDomain: the first part is a registry if it has "." or ":", is "localhost", or is not lower-case.
  const isDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  const remote = isDomain ? name.slice(slash + 1) : name;
  if (isDomain && !DOMAIN.test(first)) return `the registry ${JSON.stringify(first)} is not a host name with an optional :port`;
  if (remote.toLowerCase() !== remote) return `the repository name ${JSON.stringify(remote)} must be lower-case`;
  if (!REMOTE_NAME.test(remote)) {
    return `the repository name ${JSON.stringify(remote)} is not lower-case letters and digits, separated by ".", "_", "__", "-" or "/"`;
  }
  if (name.length > NAME_TOTAL_LENGTH_MAX)
    return `the name is ${name.length} characters long; at most ${NAME_TOTAL_LENGTH_MAX} are allowed`;
  return undefined;
}
