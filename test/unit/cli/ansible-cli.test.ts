/**
 * Ansible's command-line habits, in-process: -i beside the positional, -e, vault options,
 * ansible.cfg and ANSIBLE_*, --list-hosts/--list-tasks/--list-tags, --limit @file, and the
 * `inventory` command with ansible-inventory's output (secrets masked). No host is contacted.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vault } from 'ansible-vault';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadAnsibleSettings, parseConfigParser } from '../../../src/cli/ansible-config.js';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { dedent, SINGLE_NODE, writeTree } from '../inventory/helpers.js';
import { captureOutput } from './support.js';

let dir = '';

const INVENTORY = dedent(SINGLE_NODE).replace(
  'ansible_host: 198.51.100.10',
  [
    'ansible_host: 198.51.100.10',
    'ansible_user: deploy',
    'ansible_become: yes',
    'ansible_become_password: hunter2-plain',
    'ansible_ssh_common_args: -J jump@198.51.100.5:2222',
  ].join('\n          '),
);

const output = captureOutput();

beforeEach(() => {
  dir = writeTree({ 'inventory.yml': INVENTORY, '.ansible.cfg': '[defaults]\n' });
  // Isolated from the machine's own ansible.cfg and ssh configuration.
  vi.stubEnv('ANSIBLE_CONFIG', join(dir, '.ansible.cfg'));
  vi.stubEnv('HOME', dir);
});

const inv = () => join(dir, 'inventory.yml');

describe('apim-provision inventory', () => {
  it('prints --list as ansible-inventory does, with secret variables masked', async () => {
    expect(await main(['inventory', '-i', inv(), '--list'])).toBe(EXIT.OK);
    const list = JSON.parse(output.stdout) as {
      _meta: { hostvars: Record<string, Record<string, unknown>> };
      all: unknown;
    };
    expect(list.all).toEqual({ children: ['ungrouped', 'loadbalancers', 'apim_all_in_one'] });
    expect(list._meta.hostvars.lb1!.ansible_become_password).toBe('********');
    expect(list._meta.hostvars.lb1!.ansible_become).toBe(true);
    expect(output.stdout).not.toContain('hunter2');
    expect(output.stdout).toMatch(/^ {4}"_meta": \{$/m);
  });

  it('shows inline vault values as ansible-inventory does, never their plain text', async () => {
    const envelope = new Vault({ password: 'pw' }).encryptSync(
      'vaulted-value',
      undefined as unknown as string,
    );
    writeFileSync(join(dir, 'pw'), 'pw\n');
    const withVault = INVENTORY.replace(
      'ansible_user: deploy',
      `ansible_user: deploy\n          api_token: !vault |\n            ${envelope.split('\n').join('\n            ')}`,
    );
    writeFileSync(inv(), withVault);
    expect(await main(['inventory', inv(), '--host', 'lb1', '--vault-password-file', join(dir, 'pw')])).toBe(
      EXIT.OK,
    );
    expect((JSON.parse(output.stdout) as Record<string, unknown>).api_token).toEqual({
      __ansible_vault: `${envelope}\n`,
    });
    output.clear();
    expect(await main(['inventory', inv(), '--graph', '--vars'])).toBe(EXIT.OK);
    expect(output.stdout).toContain('{api_token = ********}');
    expect(output.stdout).toContain('{ansible_become_password = ********}');
    expect(output.stdout).not.toContain('vaulted-value');
  });

  it('prints --graph for a group, and refuses an unknown one or host with a suggestion (exit 5)', async () => {
    expect(await main(['inventory', inv(), '--graph', 'loadbalancers'])).toBe(EXIT.OK);
    expect(output.stdout).toBe('@loadbalancers:\n  |--lb1\n');
    expect(await main(['inventory', inv(), '--graph', 'loadbalancer'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('did you mean "loadbalancers"');
    expect(await main(['inventory', inv(), '--host', 'lb9'])).toBe(EXIT.USAGE);
    expect(await main(['inventory', inv(), '--list', '--yaml'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('--yaml output is not supported');
    expect(output.stderr).not.toContain('unexpected error');
  });

  it('takes the inventory from ansible.cfg when none is given', async () => {
    writeFileSync(join(dir, '.ansible.cfg'), '[defaults]\ninventory = inventory.yml\n');
    expect(await main(['inventory', '--graph'])).toBe(EXIT.OK);
    expect(output.stdout).toContain('|--@loadbalancers:');
  });
});

describe('apply --list-hosts / --list-tasks / --list-tags', () => {
  it('lists each play with its hosts and how each is reached, without a secret, and contacts nothing', async () => {
    expect(await main(['apply', '-i', inv(), '--list-hosts', '--list-tags'])).toBe(EXIT.OK);
    expect(output.stdout).toMatch(/^ {2}play #1 \(loadbalancers\): .*\tTAGS: \[\]$/m);
    expect(output.stdout).toContain("    pattern: ['loadbalancers']\n    hosts (1):\n");
    expect(output.stdout).toMatch(
      /^ {6}lb1 {2}deploy@198\.51\.100\.10:22, via jump@198\.51\.100\.5:2222, become root \(sudo, password\)$/m,
    );
    expect(output.stdout).toMatch(/TASK TAGS: \[config, install, tls\]/);
    expect(output.stdout).not.toContain('hunter2');
  });

  it('applies -u only where the inventory sets no user, and -e above everything', async () => {
    expect(await main(['apply', inv(), '--list-hosts', '-u', 'cli-user', '-e', 'ansible_user=from-e'])).toBe(
      EXIT.OK,
    );
    expect(output.stdout).toContain('from-e@198.51.100.10:22');
  });

  it('takes -b / --become-user as defaults the inventory overrides, and refuses flags it does not offer by name', async () => {
    writeFileSync(inv(), INVENTORY.replace('ansible_become: yes', 'ansible_become: no'));
    expect(await main(['apply', inv(), '--list-hosts', '-b', '--become-user', 'svc'])).toBe(EXIT.OK);
    // ansible_become: no in the inventory beats -b.
    expect(output.stdout).toContain('deploy@198.51.100.10:22, via jump@198.51.100.5:2222, no become');
    writeFileSync(inv(), INVENTORY.replace('ansible_become: yes', 'ansible_ssh_port: 2222'));
    output.clear();
    expect(await main(['apply', inv(), '--list-hosts', '-b', '--become-user', 'svc'])).toBe(EXIT.OK);
    expect(output.stdout).toContain(
      'deploy@198.51.100.10:2222, via jump@198.51.100.5:2222, become svc (sudo, password)',
    );
    expect(await main(['apply', inv(), '--syntax-check'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('use apim-provision validate');
    expect(await main(['apply', inv(), '-c', 'local'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('connects over SSH only');
  });

  it('reads --limit @file, and refuses a limit that names nothing (exit 5, no stack trace)', async () => {
    writeFileSync(join(dir, 'retry'), 'lb1\n\n');
    expect(await main(['apply', inv(), '--list-hosts', '--limit', `@${join(dir, 'retry')}`])).toBe(EXIT.OK);
    expect(await main(['apply', inv(), '--list-hosts', '--limit', 'lb2'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('"lb2" matches no host or group of the inventory (did you mean "lb1"?)');
    expect(await main(['apply', inv(), '--list-hosts', '--limit', '@/nonexistent/retry'])).toBe(EXIT.USAGE);
    // An existing group without hosts matches nothing without error (as in Ansible): no host left.
    expect(await main(['apply', inv(), '--list-hosts', '--limit', 'ungrouped'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('leaves no host to run on');
    expect(output.stderr).not.toContain('unexpected error');
  });

  it('reports a play whose hosts match nothing, at the play, in validate and apply (exit 4)', async () => {
    const playbook = join(dir, 'play.yml');
    writeFileSync(playbook, '- name: typo\n  hosts: loadbalancer\n  tasks:\n    - debug: { msg: hi }\n');
    expect(await main(['validate', inv(), playbook])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toMatch(
      /play\.yml\s*\n\s+1:3\s+error\s+play "typo": hosts "loadbalancer" matches no host or group/,
    );
    expect(await main(['apply', '-i', inv(), playbook, '--list-hosts'])).toBe(EXIT.INVALID_INPUT);
  });
});

describe('vault options', () => {
  it('runs an executable password file and uses a client script with --vault-id', async () => {
    const envelope = new Vault({ password: 'from-script' }).encryptSync('x: 1\n', 'prod');
    const tree = writeTree({ 'inventory.yml': INVENTORY, 'group_vars/all.yml': envelope });
    const script = join(dir, 'pass-client.sh');
    writeFileSync(script, '#!/bin/sh\n[ "$1" = --vault-id ] && [ "$2" = prod ] && echo from-script\n');
    chmodSync(script, 0o755);
    expect(await main(['validate', join(tree, 'inventory.yml'), '--vault-id', `prod@${script}`])).toBe(
      EXIT.OK,
    );
    expect(await main(['validate', join(tree, 'inventory.yml')])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toContain('no vault password was given');
    // ANSIBLE_VAULT_PASSWORD_FILE is the default id's file; a plain file's content is the password.
    const envelopeDefault = new Vault({ password: 'from-env-file' }).encryptSync(
      'y: 2\n',
      undefined as unknown as string,
    );
    const plain = writeTree({
      'inventory.yml': INVENTORY,
      'group_vars/all.yml': envelopeDefault,
      pw: 'from-env-file\n',
    });
    vi.stubEnv('ANSIBLE_VAULT_PASSWORD_FILE', join(plain, 'pw'));
    expect(await main(['validate', join(plain, 'inventory.yml')])).toBe(EXIT.OK);
  });

  it('refuses --ask-vault-pass without a terminal as an input problem, not a crash', async () => {
    const code = await main(['validate', inv(), '--ask-vault-pass']);
    expect(code).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout + output.stderr).toContain('standard input is not a terminal');
    expect(output.stderr).not.toContain('unexpected error');
  });
});

describe('ansible.cfg and ANSIBLE_*', () => {
  const settings = (cfg: string, env: NodeJS.ProcessEnv = {}) => {
    const d = mkdtempSync(join(tmpdir(), 'apim-cfg-'));
    writeFileSync(join(d, 'ansible.cfg'), cfg);
    return loadAnsibleSettings({ HOME: d, ...env }, d);
  };

  it('reads the settings that apply, paths relative to the file, the environment winning', () => {
    const s = settings(
      '[defaults]\nremote_user = cfguser ; a comment\ntimeout: 30\nforks=7\nprivate_key_file = keys/id\ninventory = a.yml, b\n[ssh_connection]\ntimeout = 40\n[privilege_escalation]\nbecome = True\n',
      { ANSIBLE_REMOTE_USER: 'envuser' },
    );
    expect(s.remoteUser).toEqual({ value: 'envuser', from: 'ANSIBLE_REMOTE_USER' });
    expect(s.timeout?.value).toBe(40);
    expect(s.forks?.value).toBe(7);
    expect(s.privateKeyFile?.value).toBe(join(s.file!, '..', 'keys', 'id'));
    expect(s.inventory).toEqual([join(s.file!, '..', 'a.yml'), join(s.file!, '..', 'b')]);
    expect(s.become?.value).toBe(true);
    expect(s.diagnostics).toEqual([]);
  });

  it('does not honour host_key_checking = False, and says why', () => {
    const s = settings('[defaults]\nhost_key_checking = False\n');
    expect(s.diagnostics[0]).toMatchObject({ severity: 'warning' });
    expect(s.diagnostics[0]!.message).toContain('always checks host keys');
  });

  it('refuses settings that change what an inventory means, by name', () => {
    const s = settings('[defaults]\nhash_behaviour = merge\n', { ANSIBLE_PRECEDENCE: 'all_inventory' });
    expect(s.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('hash_behaviour = merge is not supported'),
      expect.stringContaining('changed variable precedence'),
    ]);
  });

  it('parses continuation lines and %(name)s interpolation as configparser does', () => {
    const diagnostics: never[] = [];
    const data = parseConfigParser(
      'x.cfg',
      '[DEFAULT]\nbase = /srv\n[defaults]\nlist = a,\n  b\npath = %(base)s/x %%\n',
      diagnostics,
    );
    expect(data.get('defaults')?.get('list')?.value).toBe('a,\nb');
    const s = settings('[defaults]\nvault_password_file = %(here)s\n');
    expect(s.diagnostics[0]!.message).toContain('must be written %%');
  });
});

describe('hostile and broken input (issue 14): exit 4 with the file named, never a hang or a stack trace', () => {
  const bomb = () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    return lines.join('\n') + '\n';
  };

  it('refuses a YAML alias bomb in the inventory, a group_vars file and the playbook', async () => {
    writeFileSync(inv(), `${bomb()}all: {}\n`);
    expect(await main(['validate', inv()])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toMatch(
      /inventory\.yml\s*\n\s+6:29\s+error\s+YAML aliases expand to too much data/,
    );
    writeFileSync(inv(), INVENTORY);
    mkdirSync(join(dir, 'group_vars'));
    writeFileSync(join(dir, 'group_vars', 'all.yml'), bomb());
    output.clear();
    expect(await main(['validate', inv()])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toContain('group_vars/all.yml');
    const playbook = join(dir, 'bomb.yml');
    writeFileSync(playbook, bomb());
    output.clear();
    expect(await main(['validate', inv(), playbook])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toContain('bomb.yml');
    expect(output.stdout + output.stderr).not.toMatch(/unexpected error|at .*\.ts:\d+/);
  });

  it('refuses an alias to an undefined anchor with its line', async () => {
    writeFileSync(inv(), INVENTORY.replace('apim_pattern: single-node', 'apim_pattern: *nope'));
    expect(await main(['validate', inv()])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toMatch(
      /3:\d+\s+error\s+YAML alias \*nope refers to an anchor &nope that is not defined/,
    );
  });

  it('refuses a FIFO or /dev/zero as inventory, vars file or playbook at once', async () => {
    const fifo = join(dir, 'fifo.yml');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    expect(await main(['validate', fifo])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toContain('inventory is a FIFO (named pipe), not a regular file');
    expect(await main(['validate', '/dev/zero'])).toBe(EXIT.INVALID_INPUT);
    expect(await main(['validate', inv(), fifo])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toContain('playbook is a FIFO');
    mkdirSync(join(dir, 'host_vars'));
    execFileSync('mkfifo', [join(dir, 'host_vars', 'lb1.yml')]);
    output.clear();
    expect(await main(['validate', inv()])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toContain('host_vars file is a FIFO');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a group_vars that is not a folder', async () => {
    writeFileSync(join(dir, 'group_vars'), 'x: 1\n');
    expect(await main(['validate', inv()])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout).toContain('group_vars is not a folder');
  });

  it('refuses a host name that would escape render --out, and writes nothing', async () => {
    writeFileSync(inv(), INVENTORY.replace('lb1:', '"../../escape":'));
    const out = join(dir, 'out');
    expect(await main(['render', inv(), '--out', out])).toBe(EXIT.INVALID_INPUT);
    expect(output.stderr).toContain('contains a slash');
    expect(() => execFileSync('ls', [join(dir, '..', 'escape')])).toThrow();
  });

  it('validates the shipped with-group-vars example on a machine without its secret: a warning, exit 0', async () => {
    vi.stubEnv('APIM_BECOME_PASSWORD', undefined);
    const example = join(
      import.meta.dirname,
      '..',
      '..',
      '..',
      'inventories',
      'with-group-vars',
      'inventory.yml',
    );
    expect(await main(['validate', example])).toBe(EXIT.OK);
    expect(output.stdout).toContain(
      'warning ansible_become_password comes from environment variable APIM_BECOME_PASSWORD, which is not set (apply and rollback refuse to run without it)',
    );
    // The load balancer and the two nodes the node play reaches each need the sudo password.
    expect(output.stdout).toContain('3 secret source(s) not available here: apply and rollback need them');
  });
});
