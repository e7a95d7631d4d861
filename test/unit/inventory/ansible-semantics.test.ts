/**
 * What Ansible does with inventory values when it uses them, which ansible-inventory cannot show:
 * legacy connection spellings, templated values, !unsafe, vault values, ~/.ssh/config, defaults
 * from the command line / ansible.cfg, and connection problems of hosts no play reaches.
 */
import { join } from 'node:path';
import { Vault } from 'ansible-vault';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import { UnsafeText } from '../../../src/domain/tagged-values.js';
import { VaultKeyring } from '../../../src/input/vault.js';
import { loadInventory, type LoadInventoryOptions } from '../../../src/inventory/load-inventory.js';
import { dedent, diag, errors, SINGLE_NODE, writeTree } from './helpers.js';

const LB = SINGLE_NODE;

function load(
  files: Record<string, string>,
  options: LoadInventoryOptions = {},
  sources = ['inventory.yml'],
) {
  const dir = writeTree(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, dedent(v)])));
  const r = loadInventory(
    sources.map((s) => join(dir, s)),
    { env: { HOME: dir }, sshConfigFiles: [], ...options },
  );
  return { dir, ...r };
}

const conn = (r: ReturnType<typeof load>, host = 'lb1') => r.inventory!.hosts.get(host)!.connection;
const withVars = (vars: string) =>
  LB.replace(
    'ansible_host: 198.51.100.10',
    `ansible_host: 198.51.100.10\n            ${vars.split('\n').join('\n            ')}`,
  );

describe('legacy connection spellings (Ansible prefers them when set)', () => {
  it('uses ansible_ssh_host, ansible_ssh_port and ansible_ssh_user over the new names, wherever they are set', () => {
    const r = load({
      'inventory.yml': withVars('ansible_port: 22\nansible_user: new'),
      'group_vars/all.yml':
        'ansible_ssh_host: 198.51.100.99\nansible_ssh_port: 2222\nansible_ssh_user: legacy\n',
    });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(conn(r)).toMatchObject({ host: '198.51.100.99', port: 2222, user: 'legacy' });
  });

  it('reads ansible_ssh_pass, ansible_sudo_pass and ansible_ssh_timeout', () => {
    const r = load({
      'inventory.yml': withVars(
        'ansible_ssh_pass: p1\nansible_become_password: b0\nansible_sudo_pass: b1\nansible_timeout: 5\nansible_ssh_timeout: 7',
      ),
    });
    expect(conn(r).password?.reveal()).toBe('p1');
    expect(conn(r).becomePassword?.reveal()).toBe('b1');
    expect(conn(r).connectTimeoutMs).toBe(7000);
  });

  it('ignores a legacy spelling set to null', () => {
    const r = load({ 'inventory.yml': withVars('ansible_ssh_host: null') });
    expect(conn(r).host).toBe('198.51.100.10');
  });
});

describe('templated inventory values, rendered when used', () => {
  it('renders ansible_user from another variable, and types a templated port', () => {
    const r = load({
      'inventory.yml': withVars('ansible_user: "{{ admin_user }}"\nansible_port: "{{ base_port + 1 }}"'),
      'group_vars/all.yml': 'admin_user: deploy\nbase_port: 2221\n',
    });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(conn(r)).toMatchObject({ user: 'deploy', port: 2222 });
  });

  it('offers the magic variables Ansible offers: inventory_hostname, group_names, inventory_dir, hostvars', () => {
    const r = load({
      'inventory.yml': withVars(
        "ansible_ssh_private_key_file: \"{{ inventory_dir }}/keys/{{ inventory_hostname }}\"\nansible_user: \"{{ group_names | join('-') }}\"\napim_hostnames: { api: \"{{ hostvars['apim1'].ansible_host | replace('.', '-') }}.example.com\" }",
      ),
      'keys/lb1': 'key\n',
    });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(conn(r).privateKeyFile).toBe(join(r.dir, 'keys', 'lb1'));
    expect(conn(r).user).toBe('loadbalancers');
    expect(r.inventory!.loadBalancers[0]!.deployment.hostnames.api).toBe('192-0-2-10.example.com');
  });

  it('reports an undefined variable where the templated value is written, before anything is contacted', () => {
    const text = withVars('ansible_user: "{{ admin_user }}"');
    const r = load({ 'inventory.yml': text });
    const d = diag(r.diagnostics, "undefined variable 'admin_user'");
    expect(d).toMatchObject({ severity: 'error', key: 'all.children.loadbalancers.hosts.lb1.ansible_user' });
    expect(r.inventory).toBeUndefined();
  });

  it('never renders !unsafe values: they are used as written', () => {
    const r = load({
      'inventory.yml': withVars(`ansible_user: !unsafe '{{ admin }}'\nbanner: !unsafe "{{ x }}"`),
    });
    expect(conn(r).user).toBe('{{ admin }}');
    expect(r.inventory!.hosts.get('lb1')!.vars.banner).toEqual(new UnsafeText('{{ x }}'));
  });

  it('reports a variable that refers to itself', () => {
    const r = load({ 'inventory.yml': withVars('ansible_user: "{{ u }}"\nu: "{{ ansible_user }}"') });
    expect(
      errors(r.diagnostics)
        .map((d) => d.message)
        .join('\n'),
    ).toMatch(/refers to itself/);
  });

  it('does not render what is never used (a host no play reaches keeps its broken template)', () => {
    const r = load({
      'inventory.yml': LB.replace(
        'ansible_host: 192.0.2.10',
        'ansible_host: 192.0.2.10\n            ansible_user: "{{ nope }}"',
      ),
    });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.deferred.get('apim1')?.[0]?.message).toMatch(/undefined variable 'nope'/);
  });
});

describe('vault values', () => {
  const password = 'unit-vault-pw';
  const envelope = (text: string, id?: string) => new Vault({ password }).encryptSync(text, id as string);
  const keyring = new VaultKeyring([{ id: 'default', password: new Secret(password), source: 'test' }]);
  const block = (text: string, id?: string) => `!vault |\n  ${envelope(text, id).split('\n').join('\n  ')}`;

  it('decrypts !vault connection secrets into Secrets, and templates that read them', () => {
    const r = load(
      {
        'inventory.yml': withVars('ansible_become_password: "{{ vault_become }}"'),
        'group_vars/all/vault.yml': `vault_become: ${block('s3cret').split('\n').join('\n')}\n`,
      },
      { vault: keyring },
    );
    expect(errors(r.diagnostics)).toEqual([]);
    expect(conn(r).becomePassword?.reveal()).toBe('s3cret');
    expect(String(r.inventory!.hosts.get('lb1')!.vars.vault_become)).toBe('********');
    expect(r.secrets.map((s) => s.reveal())).toContain('s3cret');
  });

  it('decrypts a vault-encrypted vars file (1.2 with a vault id)', () => {
    const dir = writeTree({
      'inventory.yml': dedent(LB),
      'group_vars/loadbalancers.yml': envelope('ansible_user: vaulted\n', 'prod') + '\n',
    });
    const r = loadInventory(join(dir, 'inventory.yml'), {
      env: { HOME: dir },
      sshConfigFiles: [],
      vault: keyring,
    });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection.user).toBe('vaulted');
  });

  it('says which file needs a vault password, and how to give one', () => {
    const dir = writeTree({ 'inventory.yml': dedent(LB), 'group_vars/all.yml': envelope('x: 1\n') });
    const r = loadInventory(join(dir, 'inventory.yml'), { env: { HOME: dir }, sshConfigFiles: [] });
    const d = diag(r.diagnostics, 'no vault password was given');
    expect(d.file).toBe(join(dir, 'group_vars', 'all.yml'));
    expect(d.fix).toContain('--vault-password-file');
  });

  it('says when the password is wrong', () => {
    const wrong = new VaultKeyring([
      { id: 'default', password: new Secret('nope'), source: '--vault-password-file x' },
    ]);
    const r = load({ 'inventory.yml': withVars(`ansible_password: ${block('pw')}`) }, { vault: wrong });
    expect(
      diag(r.diagnostics, 'cannot be decrypted with the vault password given (--vault-password-file x)')
        .severity,
    ).toBe('error');
  });
});

describe('connection defaults and ~/.ssh/config', () => {
  it('uses -u / ansible.cfg values only where the inventory sets nothing', () => {
    const r = load(
      { 'inventory.yml': withVars('ansible_user: inline') },
      { connection: { user: 'from-cli', port: 2200, timeoutSeconds: 3, become: true } },
    );
    expect(conn(r)).toMatchObject({ user: 'inline', port: 2200, connectTimeoutMs: 3000, become: true });
    expect(conn(r, 'apim1').user).toBe('from-cli');
  });

  it('reads HostName, User, Port, IdentityFile and ProxyJump for hosts that use an ssh_config alias', () => {
    const files = {
      'inventory.yml': LB.replace('ansible_host: 198.51.100.10', 'ansible_host: lb-alias'),
      ssh_config:
        'Host lb-*\n  HostName 198.51.100.77\n  User sshcfg\n  Port 2022\n  IdentityFile ~/id_lb\n  ProxyJump jump@198.51.100.5:2222\nHost *\n  User fallback\n',
      id_lb: 'key\n',
    };
    const dir = writeTree(files);
    const r = loadInventory(join(dir, 'inventory.yml'), {
      env: { HOME: dir },
      sshConfigFiles: [join(dir, 'ssh_config')],
    });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection).toMatchObject({
      host: '198.51.100.77',
      user: 'sshcfg',
      port: 2022,
      privateKeyFile: join(dir, 'id_lb'),
      jumpHosts: [{ host: '198.51.100.5', port: 2222, user: 'jump' }],
    });
  });

  it('refuses a ProxyCommand from ssh_config by name', () => {
    const dir = writeTree({
      'inventory.yml': dedent(LB),
      ssh_config: 'Host 198.51.100.10\n  ProxyCommand nc %h %p\n',
    });
    const r = loadInventory(join(dir, 'inventory.yml'), {
      env: { HOME: dir },
      sshConfigFiles: [join(dir, 'ssh_config')],
    });
    expect(diag(r.diagnostics, 'ProxyCommand').fix).toContain('ProxyJump');
  });
});

describe('sources and vars folders', () => {
  it('refuses a group_vars that is not a folder (Ansible skips it with a warning)', () => {
    const r = load({ 'inventory.yml': LB, group_vars: 'apim_pattern: active-active\n' });
    expect(diag(r.diagnostics, 'group_vars is not a folder').severity).toBe('error');
  });

  it('refuses an inventory script and a plugin configuration by name', () => {
    const script = load({ 'inventory.yml': LB, 'ec2.yml': 'plugin: amazon.aws.aws_ec2\n' }, {}, ['ec2.yml']);
    expect(diag(script.diagnostics, 'inventory plugin "amazon.aws.aws_ec2"').fix).toContain(
      'ansible-inventory -i',
    );
  });

  it('warns that Ansible skips .ini files in an inventory folder', () => {
    const r = load({ 'inv/main.yml': LB, 'inv/old.ini': '[x]\ny\n' }, {}, ['inv']);
    expect(diag(r.diagnostics, 'Ansible ignores .ini files').severity).toBe('warning');
    expect(r.inventory).toBeDefined();
  });

  it('refuses host names that could escape a folder or forge output', () => {
    const r = load({ 'inventory.yml': LB.replace('apim1:', '"../../etc/x":') });
    expect(diag(r.diagnostics, 'contains a slash').severity).toBe('error');
    const nl = load({ 'inventory.yml': LB.replace('apim1:', '"a\\nb":') });
    expect(diag(nl.diagnostics, 'control character').severity).toBe('error');
  });
});

describe('a UTF-8 byte order mark', () => {
  it("refuses an INI inventory starting with one, naming the file (Ansible's INI plugin reads the mark as text)", () => {
    for (const first of ['[loadbalancers]', 'lb0', '# hosts']) {
      const dir = writeTree({ hosts: `\uFEFF${first}\nlb1 ansible_host=198.51.100.10\n` });
      const file = join(dir, 'hosts');
      const found = errors(loadInventory(file, { env: { HOME: dir } }).diagnostics);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ file, severity: 'error' });
      expect(found[0]!.message).toContain('byte order mark');
    }
  });

  it('reads a YAML inventory starting with one, as Ansible does', () => {
    const dir = writeTree({ 'inventory.yml': `\uFEFF${dedent(SINGLE_NODE)}` });
    const plain = writeTree({ 'inventory.yml': dedent(SINGLE_NODE) });
    const withMark = loadInventory(join(dir, 'inventory.yml'), { env: { HOME: dir } });
    expect(errors(withMark.diagnostics)).toEqual([]);
    const names = (r: typeof withMark) => [...(r.inventory?.hosts.keys() ?? [])];
    expect(names(withMark)).toEqual(['lb1', 'apim1']);
    expect(names(withMark)).toEqual(
      names(loadInventory(join(plain, 'inventory.yml'), { env: { HOME: plain } })),
    );
  });
});
