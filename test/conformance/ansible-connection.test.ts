/**
 * Connection conformance: which address, port, user and key the real Ansible uses for each host,
 * against the connection apim-provision builds from the same inventory and settings. Ansible's
 * ssh plugin prints its command at -vvv; every host points at a closed port of its own 127.0.0.x
 * address, so each connection is refused at once and nothing else is contacted.
 *
 * This is where what ansible-inventory cannot show is checked: legacy ansible_ssh_* spellings
 * winning, templated values rendered with the host's and the magic variables, -u and -e, ansible.cfg.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadAnsibleSettings } from '../../src/cli/ansible-config.js';
import { inventoryLoadOptions } from '../../src/cli/inventory-args.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { oracleEnv } from './ansible-env.js';

/** Port 9 (discard) on loopback: nothing listens, every connection is refused at once. */
const CLOSED = 9;

interface Seen {
  address: string;
  port?: number;
  user?: string;
  key?: string;
}

/** Each `<addr> SSH: EXEC ssh ...` line of ansible -vvv: what the ssh plugin was told to use. */
function parseExecLines(output: string): Map<string, Seen> {
  const seen = new Map<string, Seen>();
  for (const line of output.split('\n')) {
    const m = /^<([^>]+)> SSH: EXEC ssh (.*)$/.exec(line);
    if (!m) continue;
    const args = m[2]!;
    const s: Seen = { address: m[1]! };
    const port = /-o Port=(\d+)/.exec(args);
    if (port) s.port = Number(port[1]);
    const user = /-o 'User="([^"]*)"'/.exec(args);
    if (user) s.user = user[1]!;
    const key = /-o 'IdentityFile="([^"]*)"'/.exec(args);
    if (key) s.key = key[1]!;
    if (!seen.has(s.address)) seen.set(s.address, s);
  }
  return seen;
}

const INVENTORY = `all:
  vars:
    apim_pattern: single-node
    admin_user: templated
    base_port: ${CLOSED - 1}
  children:
    loadbalancers:
      hosts:
        legacy:
          ansible_host: 127.0.0.250
          ansible_ssh_host: 127.0.0.11
          ansible_port: 2222
          ansible_ssh_port: ${CLOSED}
          ansible_user: new
          ansible_ssh_user: old
        templated:
          ansible_host: "127.0.0.{{ 10 + 2 }}"
          ansible_port: "{{ base_port + 1 }}"
          ansible_user: "{{ admin_user }}"
          ansible_ssh_private_key_file: "{{ inventory_dir }}/keys/{{ inventory_hostname }}"
        defaults:
          ansible_host: 127.0.0.13
        from_group_vars:
          ansible_host: 127.0.0.14
          ansible_user: inline-user
    apim_all_in_one:
      hosts:
        apim1:
          ansible_host: 192.0.2.10
`;

function prepare(cfg: string) {
  const dir = mkdtempSync(join(tmpdir(), 'apim-conn-'));
  const home = join(dir, 'home');
  mkdirSync(join(dir, 'keys'), { recursive: true });
  mkdirSync(join(dir, 'group_vars'));
  mkdirSync(home);
  writeFileSync(join(dir, 'inventory.yml'), INVENTORY);
  writeFileSync(join(dir, 'keys', 'templated'), 'not a key\n');
  writeFileSync(join(dir, 'group_vars', 'loadbalancers.yml'), 'ansible_ssh_user: from-group-vars\n');
  writeFileSync(join(dir, 'ansible.cfg'), cfg);
  const env = oracleEnv(home, join(dir, 'ansible.cfg'));
  return { dir, env };
}

describe('ansible connection conformance', () => {
  it.each([
    ['ansible.cfg remote_port', [] as string[], `[defaults]\nremote_port = ${CLOSED}\n`],
    [
      '-u beaten by inventory users',
      ['-u', 'cli-user'],
      `[defaults]\nremote_port = ${CLOSED}\nremote_user = cfg-user\n`,
    ],
    [
      '-e beats the inventory',
      ['-e', 'ansible_user=extra', '-e', `ansible_port=${CLOSED}`],
      '[defaults]\nremote_user = cfg-user\n',
    ],
  ])('%s', async (_name, args, cfg) => {
    const { dir, env } = prepare(cfg);
    const run = await execa(
      'ansible',
      ['loadbalancers', '-i', join(dir, 'inventory.yml'), '-m', 'ping', '-vvv', '-T', '3', ...args],
      { env: { ...env, ANSIBLE_HOST_KEY_CHECKING: 'False' }, cwd: dir, reject: false, all: true },
    );
    const seen = parseExecLines(run.all);
    expect(seen.size, run.all).toBe(4);

    // The same settings through apim-provision's own command-line plumbing.
    const settings = loadAnsibleSettings({ ...env }, dir);
    const flags = {
      ...(args.includes('-u') ? { user: args[args.indexOf('-u') + 1]! } : {}),
      'extra-vars': args.filter((_, i) => args[i - 1] === '-e'),
    };
    const prepared = await inventoryLoadOptions(flags, settings, 'ignore', undefined);
    const loaded = loadInventory(join(dir, 'inventory.yml'), {
      ...prepared.options,
      env,
      sshConfigFiles: [],
    });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const name of ['legacy', 'templated', 'defaults', 'from_group_vars']) {
      const c = loaded.inventory!.hosts.get(name)!.connection;
      const theirs = seen.get(c.host);
      expect(
        theirs,
        `${name}: Ansible connected elsewhere than ${c.host} (${[...seen.keys()].join(', ')})`,
      ).toBeDefined();
      // Ansible leaves an unset port or user to ssh (22, the local user); apim-provision fills them in.
      expect(c.port, `${name} port`).toBe(theirs!.port ?? 22);
      if (theirs!.user !== undefined) expect(c.user, `${name} user`).toBe(theirs!.user);
      else expect(c.user, `${name} user`).toBe(loaded.inventory!.hosts.get(name)!.connection.user);
      if (theirs!.key !== undefined) expect(c.privateKeyFile, `${name} key`).toBe(theirs!.key);
    }
  });
});
