import type { JumpHost } from '../domain/types.js';
import { ShlexError, shlexSplit } from '../input/shlex.js';

/** What `ansible_ssh_common_args` means to apim-provision's own SSH client. */
export interface SshArgs {
  jumpHosts: JumpHost[];
  /** Names of options accepted but without effect here, for a warning. */
  ignored: string[];
  /** Arguments that change how to connect and cannot be honoured: errors. */
  unsupported: string[];
  /** Jump host specs that could not be parsed. */
  badJumps: string[];
}

/** `-o` options that only tune OpenSSH's own client (multiplexing, keep-alives, logging): no effect here. */
const SILENT_OPTIONS = [
  'controlmaster',
  'controlpersist',
  'controlpath',
  'serveraliveinterval',
  'serveralivecountmax',
  'tcpkeepalive',
  'compression',
  'loglevel',
  'connectionattempts',
];

/**
 * `-o` options that change authentication or host key checking in OpenSSH: apim-provision has its own
 * rules for those (known_hosts, the given key), so they are ignored with a warning.
 */
const WARNED_OPTIONS = [
  'stricthostkeychecking',
  'userknownhostsfile',
  'globalknownhostsfile',
  'hashknownhosts',
  'updatehostkeys',
  'identitiesonly',
  'forwardagent',
  'preferredauthentications',
  'connecttimeout',
];

/** Parses one ProxyJump element: `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. */
export function parseJumpHost(spec: string): JumpHost | undefined {
  const text = spec.startsWith('ssh://') ? spec.slice(6) : spec;
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  if (user === '') return undefined;
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    host = rest; // a bare IPv6 address has no port
  } else {
    const colon = rest.indexOf(':');
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    portText = colon >= 0 ? rest.slice(colon + 1) : undefined;
  }
  if (host === '' || /[\s/]/.test(host)) return undefined;
  let port = 22;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText)) return undefined;
    port = Number(portText);
    if (port < 1 || port > 65535) return undefined;
  }
  return user === undefined ? { host, port } : { host, port, user };
}

function addJumps(value: string, result: SshArgs): void {
  if (value.toLowerCase() === 'none') return;
  for (const spec of value.split(',')) {
    const jump = parseJumpHost(spec.trim());
    if (jump) result.jumpHosts.push(jump);
    else result.badJumps.push(spec.trim());
  }
}

/**
 * Reads jump hosts out of `ansible_ssh_common_args`: `-o ProxyJump=a,b`, `-o 'ProxyJump a'`, `-oProxyJump=a`
 * and `-J a`. Harmless client tuning is ignored; anything else (ProxyCommand, -F, port forwards...) is
 * unsupported because silently dropping it would connect differently from what the user asked for.
 */
export function parseSshArgs(text: string): SshArgs {
  const result: SshArgs = { jumpHosts: [], ignored: [], unsupported: [], badJumps: [] };
  let words: string[];
  try {
    // Ansible splits these arguments with Python's shlex.split.
    words = shlexSplit(text);
  } catch (err) {
    if (!(err instanceof ShlexError)) throw err;
    result.unsupported.push(`(${err.message.toLowerCase()})`);
    return result;
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-J' || (w.startsWith('-J') && w.length > 2)) {
      const value = w === '-J' ? words[++i] : w.slice(2);
      if (value === undefined) result.badJumps.push('');
      else addJumps(value, result);
    } else if (w === '-o' || (w.startsWith('-o') && w.length > 2)) {
      const option = w === '-o' ? words[++i] : w.slice(2);
      if (option === undefined) {
        result.unsupported.push('-o');
        continue;
      }
      const m = /^([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(option);
      const name = m?.[1]?.toLowerCase();
      if (name === 'proxyjump') addJumps(m![2]!, result);
      else if (name !== undefined && SILENT_OPTIONS.includes(name)) continue;
      else if (name !== undefined && WARNED_OPTIONS.includes(name)) result.ignored.push(m![1]!);
      // Only the option name: a ProxyCommand value may carry credentials.
      else result.unsupported.push(`-o ${m?.[1] ?? option.split(/[=\s]/)[0]}`);
    } else {
      result.unsupported.push(w);
    }
  }
  return result;
}
