import type { ConnectionSpec, Host } from '../domain/types.js';
import { taskSelected } from '../engine/task-filter.js';
import type { Playbook } from '../playbook/types.js';

export interface ListingOptions {
  hosts: boolean;
  tasks: boolean;
  tags: boolean;
  onlyTags?: string[];
  skipTags?: string[];
}

function endpoint(host: string, port: number, user?: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${user !== undefined ? `${user}@` : ''}${h}:${port}`;
}

/** How a host will be reached, never with a secret: user@address:port, jump hosts, become, key. */
export function describeConnection(c: ConnectionSpec): string {
  const parts = [endpoint(c.host, c.port, c.user)];
  if (c.jumpHosts.length > 0)
    parts.push(`via ${c.jumpHosts.map((j) => endpoint(j.host, j.port, j.user)).join(' -> ')}`);
  parts.push(c.become ? `become ${c.becomeUser} (sudo${c.becomePassword ? ', password' : ''})` : 'no become');
  if (c.privateKeyFile) parts.push(`key ${c.privateKeyFile}`);
  if (c.password) parts.push('password');
  return parts.join(', ');
}

function tagList(tags: Iterable<string>): string {
  return `[${[...new Set(tags)].sort().join(', ')}]`;
}

/**
 * ansible-playbook's --list-hosts / --list-tasks / --list-tags, in its layout; each host also shows
 * the connection it will get. `hostsOfPlays` are the hosts of each play after --limit.
 */
export function renderPlaybookListing(
  playbook: Playbook,
  hostsOfPlays: Host[][],
  options: ListingOptions,
): string {
  const lines = ['', `playbook: ${playbook.file}`, ''];
  playbook.plays.forEach((play, i) => {
    lines.push(`  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: ${tagList(play.tags)}`);
    const tasks = play.tasks.filter((t) => taskSelected(play, t, options.onlyTags, options.skipTags));
    if (options.hosts) {
      const hosts = hostsOfPlays[i] ?? [];
      lines.push(`    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`);
      const width = Math.max(0, ...hosts.map((h) => h.name.length));
      for (const h of hosts) lines.push(`      ${h.name.padEnd(width)}  ${describeConnection(h.connection)}`);
    }
    if (options.tasks) {
      lines.push('    tasks:');
      for (const t of tasks) lines.push(`      ${t.name}\tTAGS: ${tagList([...play.tags, ...t.tags])}`);
    }
    if (options.tags)
      lines.push(`      TASK TAGS: ${tagList(tasks.flatMap((t) => [...play.tags, ...t.tags]))}`);
    lines.push('');
  });
  return lines.join('\n') + '\n';
}
