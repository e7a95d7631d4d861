import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { parseJumpHost, parseSshArgs } from '../../../src/inventory/ssh-args.js';
import { shlexSplit } from '../../../src/input/shlex.js';
import { diag, errors, lineOf, loadText } from './helpers.js';

function withLbVars(lbVars: string): string {
  return `
    all:
      vars:
        apim_pattern: single-node
      children:
        loadbalancers:
          hosts:
            lb1:
${lbVars
  .split('\n')
  .map((l) => `              ${l}`)
  .join('\n')}
        apim_all_in_one:
          hosts:
            apim1:
              ansible_host: 192.0.2.10
  `;
}

describe('connection variables', () => {
  it('applies the Ansible defaults', () => {
    const r = loadText(withLbVars('ansible_host: 198.51.100.10'));
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection).toEqual({
      host: '198.51.100.10',
      port: 22,
      user: userInfo().username,
      become: false,
      becomeUser: 'root',
      jumpHosts: [],
    });
  });

  it('reads the SSH timeout and retries, ansible_ssh_timeout before ansible_timeout', () => {
    const r = loadText(withLbVars('ansible_ssh_timeout: 3\nansible_timeout: 30\nansible_ssh_retries: 0'));
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection).toMatchObject({
      connectTimeoutMs: 3000,
      connectRetries: 0,
    });
    const bad = withLbVars('ansible_ssh_retries: 99');
    expect(diag(loadText(bad).diagnostics, 'ansible_ssh_retries must be from 0 to 20').line).toBe(
      lineOf(bad, '99'),
    );
  });

  it('uses the inventory name when ansible_host is unset', () => {
    const r = loadText(withLbVars('ansible_port: 2222'));
    expect(r.inventory!.hosts.get('lb1')!.connection).toMatchObject({ host: 'lb1', port: 2222 });
  });

  it('reads every connection variable', () => {
    const r = loadText(
      withLbVars(
        [
          'ansible_host: lb1.example.com',
          'ansible_port: "2200"',
          'ansible_user: deploy',
          'ansible_ssh_private_key_file: ~/.ssh/id_lab',
          'ansible_become: yes',
          'ansible_become_user: nginxadm',
          'ansible_timeout: 2.5',
        ].join('\n'),
      ),
      { '.ssh/id_lab': 'key\n' },
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection).toEqual({
      host: 'lb1.example.com',
      port: 2200,
      user: 'deploy',
      privateKeyFile: join(r.dir, '.ssh/id_lab'),
      become: true,
      becomeUser: 'nginxadm',
      jumpHosts: [],
      connectTimeoutMs: 2500,
      connectTimeoutFrom: 'inventory',
    });
  });

  it('resolves a relative key file from the inventory folder', () => {
    const r = loadText(withLbVars('ansible_ssh_private_key_file: keys/lb.pem'), { 'keys/lb.pem': 'k' });
    expect(r.inventory!.hosts.get('lb1')!.connection.privateKeyFile).toBe(join(r.dir, 'keys/lb.pem'));
  });

  it('reads Ansible alias spellings (ansible_ssh_host, ansible_ssh_port, ansible_ssh_user)', () => {
    const r = loadText(
      withLbVars('ansible_ssh_host: 198.51.100.7\nansible_ssh_port: 2022\nansible_ssh_user: ops'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection).toMatchObject({
      host: '198.51.100.7',
      port: 2022,
      user: 'ops',
    });
  });

  it('reports a missing key file at its line', () => {
    const text = withLbVars('ansible_ssh_private_key_file: keys/missing.pem');
    const r = loadText(text);
    const d = diag(r.diagnostics, 'does not exist');
    expect(d).toMatchObject({
      severity: 'error',
      line: lineOf(text, 'missing.pem'),
      key: 'all.children.loadbalancers.hosts.lb1.ansible_ssh_private_key_file',
    });
    expect(r.inventory).toBeUndefined();
  });

  it('reports a wrong type naming the expected type', () => {
    const text = withLbVars('ansible_become: maybe\nansible_timeout: soon');
    const r = loadText(text);
    expect(diag(r.diagnostics, 'ansible_become must be a boolean').line).toBe(lineOf(text, 'maybe'));
    expect(diag(r.diagnostics, 'ansible_timeout must be a positive number').line).toBe(lineOf(text, 'soon'));
  });

  it('rejects become methods other than sudo', () => {
    const r = loadText(withLbVars('ansible_become_method: su'));
    expect(diag(r.diagnostics, 'ansible_become_method "su"').fix).toContain('sudo');
  });

  it('warns that ansible_python_interpreter is ignored, accepts ansible_connection: ssh', () => {
    const text = withLbVars('ansible_python_interpreter: /usr/bin/python3\nansible_connection: ssh');
    const r = loadText(text);
    expect(r.diagnostics.map((d) => [d.severity, d.line])).toEqual([
      ['warning', lineOf(text, 'python_interpreter')],
    ]);
    expect(r.inventory).toBeDefined();
  });

  it('refuses connection types other than SSH for hosts it contacts', () => {
    const text = withLbVars('ansible_connection: local');
    const d = diag(loadText(text).diagnostics, 'ansible_connection: local is not supported');
    expect(d).toMatchObject({ severity: 'error', line: lineOf(text, 'ansible_connection') });
  });
});

describe('jump hosts from ansible_ssh_common_args', () => {
  it('parses -o ProxyJump with several hops, users and ports', () => {
    expect(parseSshArgs('-o ProxyJump=jump@198.51.100.5:2222,bastion2').jumpHosts).toEqual([
      { host: '198.51.100.5', port: 2222, user: 'jump' },
      { host: 'bastion2', port: 22 },
    ]);
  });

  it('parses -J, -oProxyJump=, quoted "-o ProxyJump x" and IPv6 hops', () => {
    expect(parseSshArgs('-J ops@jump.example.com:2022').jumpHosts).toEqual([
      { host: 'jump.example.com', port: 2022, user: 'ops' },
    ]);
    expect(parseSshArgs('-Jjump').jumpHosts).toEqual([{ host: 'jump', port: 22 }]);
    expect(parseSshArgs('-oProxyJump=a@h1').jumpHosts).toEqual([{ host: 'h1', port: 22, user: 'a' }]);
    expect(parseSshArgs(`-o 'ProxyJump h2:2200'`).jumpHosts).toEqual([{ host: 'h2', port: 2200 }]);
    expect(parseJumpHost('u@[2001:db8::1]:2200')).toEqual({ host: '2001:db8::1', port: 2200, user: 'u' });
    expect(parseJumpHost('ssh://u@h:23')).toEqual({ host: 'h', port: 23, user: 'u' });
    expect(parseJumpHost('h:99999')).toBeUndefined();
    expect(parseJumpHost('@h')).toBeUndefined();
  });

  it('ignores client tuning, warns on host key options, refuses the rest', () => {
    const r = parseSshArgs(
      '-o ControlMaster=auto -o ControlPersist=60s -o StrictHostKeyChecking=no -o ProxyCommand="nc %h %p" -F cfg',
    );
    expect(r.ignored).toEqual(['StrictHostKeyChecking']);
    expect(r.unsupported).toEqual(['-o ProxyCommand', '-F', 'cfg']);
  });

  it('splits words like a shell', () => {
    expect(shlexSplit(`-o "a b" 'c d' e\\ f ""`)).toEqual(['-o', 'a b', 'c d', 'e f', '']);
  });

  it('puts the jump hosts into the connection', () => {
    const r = loadText(withLbVars(`ansible_ssh_common_args: '-o ProxyJump=jump@198.51.100.5:2222'`));
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection.jumpHosts).toEqual([
      { host: '198.51.100.5', port: 2222, user: 'jump' },
    ]);
  });

  it('reports ProxyCommand as an error with a ProxyJump fix, at its line', () => {
    const text = withLbVars(`ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p jump"'`);
    const r = loadText(text);
    const d = diag(r.diagnostics, 'ProxyCommand');
    expect(d).toMatchObject({
      severity: 'error',
      line: lineOf(text, 'ProxyCommand'),
      key: 'all.children.loadbalancers.hosts.lb1.ansible_ssh_common_args',
    });
    expect(d.fix).toContain('ProxyJump=');
  });

  it('reports an unparsable jump host', () => {
    const r = loadText(withLbVars(`ansible_ssh_common_args: '-J jump:notaport'`));
    expect(errors(r.diagnostics)).toHaveLength(1);
    expect(diag(r.diagnostics, 'jump:notaport').fix).toContain('user@host:port');
  });

  it('warns when host key checking options are dropped', () => {
    const r = loadText(withLbVars(`ansible_ssh_common_args: '-o StrictHostKeyChecking=no'`));
    expect(diag(r.diagnostics, 'StrictHostKeyChecking').severity).toBe('warning');
    expect(r.inventory).toBeDefined();
  });
});

describe('secrets', () => {
  const PASSWORD = 'Pa55-very-secret';

  function expectNoLeak(r: ReturnType<typeof loadText>): void {
    expect(JSON.stringify(r.diagnostics)).not.toContain(PASSWORD);
    if (r.inventory) {
      const json = JSON.stringify({
        lbs: r.inventory.loadBalancers,
        hosts: [...r.inventory.hosts.values()],
      });
      expect(json).not.toContain(PASSWORD);
    }
  }

  it('reads a literal, an env variable and a file into Secret objects', () => {
    const r = loadText(
      withLbVars(
        [
          `ansible_password: ${PASSWORD}`,
          'ansible_become_password: { env: APIM_BECOME_PASSWORD }',
          'ansible_ssh_private_key_passphrase: { file: secrets/passphrase }',
        ].join('\n'),
      ),
      { 'secrets/passphrase': `${PASSWORD}-file\n` },
      { APIM_BECOME_PASSWORD: `${PASSWORD}-env` },
    );
    expect(r.diagnostics).toEqual([]);
    const c = r.inventory!.hosts.get('lb1')!.connection;
    expect(c.password!.reveal()).toBe(PASSWORD);
    expect(c.becomePassword!.reveal()).toBe(`${PASSWORD}-env`);
    expect(c.privateKeyPassphrase!.reveal()).toBe(`${PASSWORD}-file`);
    expectNoLeak(r);
    expect(String(r.inventory!.hosts.get('lb1')!.vars.ansible_password)).toBe('********');
  });

  it('masks alias spellings of secrets in Host.vars too', () => {
    const r = loadText(withLbVars(`ansible_ssh_pass: ${PASSWORD}`));
    expect(r.inventory!.hosts.get('lb1')!.connection.password!.reveal()).toBe(PASSWORD);
    expectNoLeak(r);
  });

  it('reports a missing environment variable without a value', () => {
    const text = withLbVars('ansible_become_password: { env: NOT_SET_ANYWHERE }');
    const r = loadText(text);
    const d = diag(r.diagnostics, 'NOT_SET_ANYWHERE');
    expect(d).toMatchObject({ severity: 'error', line: lineOf(text, 'NOT_SET_ANYWHERE') });
    expect(d.fix).toContain('export NOT_SET_ANYWHERE');
  });

  it('reports an unreadable secret file', () => {
    const r = loadText(withLbVars('ansible_password: { file: nowhere/pw }'));
    expect(diag(r.diagnostics, 'which does not exist').key).toBe(
      'all.children.loadbalancers.hosts.lb1.ansible_password',
    );
  });

  it('leaves unreadable secrets unread for commands that use none (render, certs create)', () => {
    const text = withLbVars(
      'ansible_host: 198.51.100.10\nansible_become_password: { env: NOT_SET_ANYWHERE }\nansible_password: { file: nowhere/pw }',
    );
    const { dir } = loadText(text);
    const r = loadInventory(join(dir, 'inventory.yml'), { env: { HOME: dir }, secrets: 'ignore' });
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection).not.toHaveProperty('becomePassword');
    // A secret written the wrong way is still an inventory mistake.
    const wrong = loadInventory(join(loadText(withLbVars('ansible_password: [1]')).dir, 'inventory.yml'), {
      secrets: 'ignore',
    });
    diag(wrong.diagnostics, 'ansible_password must be a string');
  });

  it('never echoes a secret of the wrong shape', () => {
    const r = loadText(
      withLbVars(`ansible_password: { file: x, env: ${PASSWORD} }\ntls_key_passphrase: [${PASSWORD}]`),
    );
    diag(r.diagnostics, 'ansible_password must be a string, { env: NAME } or { file: PATH }, got a mapping');
    expectNoLeak(r);
  });

  it('needs a vault password for a !vault value, and says how to give one', () => {
    const r = loadText(withLbVars('ansible_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162'));
    expect(diag(r.diagnostics, 'no vault password was given').fix).toContain('--vault-password-file');
  });

  it('does not leak a secret through a misspelt variable name', () => {
    const r = loadText(withLbVars(`ansible_pasword: ${PASSWORD}`));
    expect(diag(r.diagnostics, 'unknown variable ansible_pasword').message).toContain(
      'did you mean "ansible_password"',
    );
    expectNoLeak(r);
  });

  it('reads a file secret with a Windows line ending', () => {
    const r = loadText(withLbVars('ansible_password: { file: pw }'), { pw: `${PASSWORD}\r\n` });
    expect(r.inventory!.hosts.get('lb1')!.connection.password!.reveal()).toBe(PASSWORD);
  });
});
