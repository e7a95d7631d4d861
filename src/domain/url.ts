/**
 * Strict http(s) URLs for values that land in files on a host (apt sources, yum repositories,
 * the health check of a transaction). WHATWG `new URL()` silently drops tabs and newlines, so a
 * value that parses can still carry a second line (`[trusted=yes]`, `gpgcheck=0`): the text
 * itself is checked first, then its parts.
 */

/** RFC 3986 characters minus quotes, backslash and whitespace: nothing a config line gives meaning to. */
const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+$/;

export interface UrlRules {
  /** A query string (`?a=b`) is allowed: health checks may need one, repository bases never do. */
  query?: boolean;
}

/** Why `text` is not a URL that may be written into a host's files, or undefined when it is. */
export function strictUrlProblem(text: string, rules: UrlRules = {}): string | undefined {
  if (text === '') return 'is empty';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) return 'contains a control character (a newline, a tab...)';
  if (/\s/u.test(text)) return 'contains whitespace';
  if (!URL_CHARACTERS.test(text))
    return 'contains characters a URL does not (quotes, backslash, non-ASCII: percent-encode them)';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return 'is not an http:// or https:// URL';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (url.hostname === '') return 'has no host';
  // A user name or password in a URL ends up in files and process lists: credentials go elsewhere.
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/]*@/i.test(text))
    return 'carries a user name or password (user@host): the repository must not need one in its URL';
  if (url.hash !== '' || text.includes('#')) return 'has a fragment (#...)';
  if (!rules.query && (url.search !== '' || text.includes('?'))) return 'has a query string (?...)';
  return undefined;
}

/** Throws (a programming error: input is validated at the edge) when `text` is not a strict URL. */
export function assertStrictUrl(text: string, what: string, rules: UrlRules = {}): void {
  const problem = strictUrlProblem(text, rules);
  if (problem) throw new Error(`${what} ${JSON.stringify(text)} ${problem}`);
}
