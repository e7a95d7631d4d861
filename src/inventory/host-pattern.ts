/**
 * Host keys of an inventory as Ansible reads them (parse_address and expand_hostname_range):
 * `lb1`, `lb1:2222`, `[2001:db8::1]:2222`, `web[01:10]`, `web[1:10:2]`, `db-[a:c]`. A key that is no
 * host name, address or range is used as the name, as written, as Ansible does.
 */

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const ipv6Component = `(?:[0-9a-f]{1,4}|${hexRange})`;
const ipv4Component = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
// Python's \w with re.UNICODE: letters, digits, underscore of any script.
const label = `(?:[\\p{L}\\p{N}_]|${alnumRange})(?:[\\p{L}\\p{N}_-]|${alnumRange})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(`^(?:${ipv4Component}\\.){3}${ipv4Component}$`, 'i');
const c = ipv6Component;
const IPV6 = new RegExp(
  `^(?:(?:${c}:){7}${c}|(?:${c}:){1,6}:|(?:${c}:)(?::${c}){1,6}|(?:${c}:){2}(?::${c}){1,5}|(?:${c}:){3}(?::${c}){1,4}|(?:${c}:){4}(?::${c}){1,3}|(?:${c}:){5}(?::${c}){1,2}|(?:${c}:){6}(?::${c})|:(?::${c}){1,6}|${c}?::|(?:0:){6}(?:${c}\\.){3}${c}|::(?:ffff:)?(?:${c}\\.){3}${c}|(?:0:){5}ffff:(?:${c}\\.){3}${c})$`,
  'i',
);
const HOSTNAME = new RegExp(`^${label}(?:\\.${label})*$`, 'iu');
// HOSTNAME's ASCII part, without ranges: V8 compiles a regex on its first use, and IPV6 (~7 ms)
// and HOSTNAME's Unicode classes (~1 ms) would be compiled for the plainest names on every run.
const ASCII_HOSTNAME = /^[a-z0-9_][a-z0-9_-]*(?<![_-])(?:\.[a-z0-9_][a-z0-9_-]*(?<![_-]))*$/i;

/** IPV6, tried only where it could match: every IPv6 form has a colon. */
function looksLikeIpv6(text: string): boolean {
  return text.includes(':') && IPV6.test(text);
}

/** Ansible's patterns['ipv4'] / ['ipv6'] (ranges allowed): used for inventory_hostname_short. */
export function looksLikeIpAddress(name: string): boolean {
  return IPV4.test(name) || looksLikeIpv6(name);
}

/**
 * parse_address(pattern, allow_ranges=True): the host part and the port, or undefined when the text
 * is no host (then Ansible keeps the whole key as the name and no port).
 */
export function parseAddress(text: string): { host: string; port?: number } | undefined {
  let address = text;
  let port: number | undefined;
  // Ansible tries both forms in turn, the second on what the first left.
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(address);
    if (m) {
      address = m[1]!;
      port = Number(m[2]);
    }
  }
  if (
    ASCII_HOSTNAME.test(address) ||
    IPV4.test(address) ||
    looksLikeIpv6(address) ||
    HOSTNAME.test(address)
  ) {
    return port === undefined ? { host: address } : { host: address, port };
  }
  return undefined;
}

export class HostRangeError extends Error {
  override readonly name = 'HostRangeError';
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** expand_hostname_range: every `[begin:end(:step)]` expanded, left to right. */
export function expandHostRange(line: string, limit = 100_000): string[] {
  const open = line.indexOf('[');
  if (open < 0) return [line];
  const close = line.indexOf(']', open);
  // Python's replace-then-split: a missing "]" leaves two parts and the unpacking fails.
  if (close < 0) throw new HostRangeError(`"${line}" has "[" without a closing "]"`);
  const head = line.slice(0, open);
  const range = line.slice(open + 1, close);
  const tail = line.slice(close + 1);
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3)
    throw new HostRangeError('host range must be begin:end or begin:end:step');
  const beg = bounds[0] === '' ? '0' : bounds[0]!;
  const end = bounds[1]!;
  if (end === '') throw new HostRangeError('host range must specify end value');
  const step = bounds.length === 3 ? pyInt(bounds[2]!) : 1;
  let fill = (x: string | number) => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length)
      throw new HostRangeError('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(beg.length, '0');
  }
  let seq: (string | number)[];
  const iBeg = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const iEnd = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new HostRangeError('host range must have begin <= end');
    if (step <= 0) throw new HostRangeError('host range step must be positive');
    seq = [];
    for (let i = iBeg; i <= iEnd; i += step) seq.push(LETTERS[i]!);
  } else {
    const from = pyInt(beg);
    const to = pyInt(end);
    if (step <= 0) throw new HostRangeError('host range step must be positive');
    if ((to - from) / step > limit)
      throw new HostRangeError(`host range expands to more than ${limit} hosts`);
    seq = [];
    for (let i = from; i <= to; i += step) seq.push(i);
  }
  const out: string[] = [];
  for (const x of seq) {
    const name = `${head}${fill(x)}${tail}`;
    if (name.includes('[')) out.push(...expandHostRange(name, limit));
    else out.push(name);
    if (out.length > limit) throw new HostRangeError(`host range expands to more than ${limit} hosts`);
  }
  return out;
}

/** Python's int() of a range bound: digits only here (anything else is Ansible's ValueError). */
function pyInt(text: string): number {
  const t = text.trim();
  if (!/^[-+]?[0-9]+$/.test(t))
    throw new HostRangeError(`"${text}" in a host range is not a number or a single letter`);
  return Number(t);
}

/** A host key: the names it stands for and the port given with it (`host:port`). */
export function expandHostPattern(pattern: string): { names: string[]; port?: number } {
  const parsed = parseAddress(pattern);
  const host = parsed?.host ?? pattern;
  const names = host.includes('[') ? expandHostRange(host) : [host];
  return parsed?.port === undefined ? { names } : { names, port: parsed.port };
}
