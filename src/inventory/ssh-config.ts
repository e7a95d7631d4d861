import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { Diagnostic } from '../input/diagnostics.js';
import { readInputFile } from '../input/read-input-file.js';

/** What OpenSSH's configuration says about one host, for the settings apim-provision honours. */
export interface SshConfigEntry {
  /** The `Host` pattern that matched first (for messages). */
  matched?: string;
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  proxyJump?: string;
  /** Options that change how to connect and cannot be honoured (ProxyCommand). */
  unsupported: string[];
  /** The file the settings came from. */
  file: string;
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * ~/.ssh/config (then /etc/ssh/ssh_config), read as ssh reads it for the settings Ansible leaves to
 * ssh when the inventory does not set them: HostName, User, Port, IdentityFile and ProxyJump of the
 * first matching `Host` blocks (the first value obtained wins). `Include` is followed; `Match exec`
 * is never run.
 */
export class SshConfigLookup {
  readonly diagnostics: Diagnostic[] = [];
  readonly #configs: { file: string; config: SSHConfig }[] = [];

  constructor(
    files: readonly string[],
    readonly home: string,
  ) {
    for (const file of files) {
      const text = this.#expand(file, 0);
      if (text !== undefined) this.#configs.push({ file, config: SSHConfig.parse(text) });
    }
  }

  /** The file's text with its Include lines replaced by the included files (missing: skipped, as ssh does). */
  #expand(file: string, depth: number): string | undefined {
    const read = readInputFile(file, 'ssh configuration');
    if (read.diagnostic) {
      if (!/does not exist/.test(read.diagnostic.message))
        this.diagnostics.push({ ...read.diagnostic, severity: 'warning' });
      return undefined;
    }
    return read.text
      .split(/\r?\n/)
      .map((line) => {
        const m = /^\s*include\s*[= ]\s*(.+?)\s*$/i.exec(line);
        if (!m) return line;
        if (depth >= MAX_INCLUDE_DEPTH) return '';
        return m[1]!
          .split(/\s+/)
          .flatMap((pattern) => this.#glob(pattern, dirname(file)))
          .map((included) => this.#expand(included, depth + 1) ?? '')
          .join('\n');
      })
      .join('\n');
  }

  #glob(pattern: string, base: string): string[] {
    const home = pattern.replace(/^~(?=\/|$)/, this.home);
    const full = isAbsolute(home) ? home : join(base === '/etc/ssh' ? base : join(this.home, '.ssh'), home);
    const name = basename(full);
    if (!/[*?]/.test(name)) return [full];
    const re = new RegExp(
      `^${name
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    try {
      return readdirSync(dirname(full))
        .filter((f) => re.test(f))
        .sort()
        .map((f) => join(dirname(full), f));
    } catch {
      return [];
    }
  }

  /** The settings for `host`: of each, the first value obtained (the user's file before the system's). */
  lookup(host: string): SshConfigEntry | undefined {
    let entry: SshConfigEntry | undefined;
    const percent = (v: string) => v.replace(/%%|%h/g, (t) => (t === '%%' ? '%' : host));
    for (const { file, config } of this.#configs) {
      const c = config.compute(host, { ignoreCase: true, matchExec: false });
      const text = (key: string) => {
        const v = c[key];
        return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
      };
      if (Object.keys(c).every((k) => k === 'host')) continue;
      const e = (entry ??= { identityFiles: [], unsupported: [], file });
      const matched = text('host');
      if (e.matched === undefined && matched !== undefined) e.matched = matched;
      const hostName = text('hostname');
      if (e.hostName === undefined && hostName !== undefined) e.hostName = percent(hostName);
      const user = text('user');
      if (e.user === undefined && user !== undefined) e.user = user;
      const port = text('port');
      if (e.port === undefined && port !== undefined && /^\d+$/.test(port)) e.port = Number(port);
      const ids = c.identityfile;
      for (const id of Array.isArray(ids) ? ids : ids ? [ids] : [])
        e.identityFiles.push(percent(id).replace(/^~(?=\/|$)/, this.home));
      const jump = text('proxyjump');
      if (e.proxyJump === undefined && jump !== undefined) e.proxyJump = jump;
      if (text('proxycommand') !== undefined && !e.unsupported.includes('ProxyCommand'))
        e.unsupported.push('ProxyCommand');
    }
    return entry;
  }
}

/** The files ssh reads: the user's, then the system's. */
export function defaultSshConfigFiles(home: string): string[] {
  return [join(home, '.ssh', 'config'), '/etc/ssh/ssh_config'];
}
