const MASK = '********';
const SECRETISH = '[\\w:.-]*(?:pass(?:word|phrase|wd)?|secret)[\\w:.-]*';

/**
 * The text with the values of password-like keys replaced by `********`, for diffs of node files
 * (their context lines would show `[super_admin] password`, catalina-server.xml's `keystorePass`,
 * carbon.xml's `<Password>`). TOML/properties lines, XML elements and attributes, JSON members.
 * Display only: the file written is never filtered.
 */
export function maskSecretValues(text: string): string {
  return text
    .replace(new RegExp(`^(\\s*${SECRETISH}\\s*=\\s*)(?!["'])(\\S.*)$`, 'gim'), `$1${MASK}`)
    .replace(new RegExp(`(\\b${SECRETISH}\\s*[=:]\\s*)(["'])(?:\\\\.|(?!\\2).)*\\2`, 'gi'), `$1$2${MASK}$2`)
    .replace(new RegExp(`("${SECRETISH}"\\s*:\\s*)"(?:\\\\.|[^"\\\\])*"`, 'gi'), `$1"${MASK}"`)
    .replace(new RegExp(`(<(${SECRETISH})(?:\\s[^>]*)?>)([^<]*)(</\\2>)`, 'gi'), `$1${MASK}$4`);
}
