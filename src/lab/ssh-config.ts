/** One `Host` block of `vagrant ssh-config` output. */
export interface SshConfigEntry {
  host: string;
  hostName: string;
  port: number;
  user: string;
  identityFile: string;
}

/**
 * Parses `vagrant ssh-config` output (OpenSSH client config syntax, one `Host` block per machine).
 * Of several IdentityFile lines the first is kept, as ssh tries them in order.
 */
export function parseSshConfig(text: string): Map<string, SshConfigEntry> {
  const entries = new Map<string, SshConfigEntry>();
  let current: Partial<SshConfigEntry> | undefined;
  const flush = (): void => {
    if (!current?.host) return;
    const { host, hostName, port, user, identityFile } = current;
    if (!hostName || !port || !user || !identityFile) {
      throw new Error(`vagrant ssh-config: Host ${host} lacks HostName, Port, User or IdentityFile`);
    }
    entries.set(host, { host, hostName, port, user, identityFile });
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    const value = unquote(match[2]!.trim());
    if (key === 'host') {
      flush();
      current = { host: value };
    } else if (current) {
      if (key === 'hostname') current.hostName = value;
      else if (key === 'port') current.port = Number(value);
      else if (key === 'user') current.user = value;
      else if (key === 'identityfile' && !current.identityFile) current.identityFile = value;
    }
  }
  flush();
  return entries;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
