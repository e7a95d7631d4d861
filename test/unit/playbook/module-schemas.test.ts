import { describe, expect, it } from 'vitest';
import { parseFreeFormCommand } from '../../../src/playbook/free-form.js';
import { resolveModuleName } from '../../../src/playbook/module-names.js';
import { moduleSchemas, validateModuleArgs, type ArgIssue } from '../../../src/playbook/module-schemas.js';
import { MODULE_NAMES, type ModuleName } from '../../../src/playbook/types.js';

function valid(module: ModuleName, args: unknown): Record<string, unknown> {
  const r = validateModuleArgs(module, args);
  if (!r.ok) throw new Error(`expected valid: ${JSON.stringify(r.issues)}`);
  return r.args;
}

function issues(module: ModuleName, args: unknown): ArgIssue[] {
  const r = validateModuleArgs(module, args);
  if (r.ok) throw new Error(`expected invalid: ${JSON.stringify(r.args)}`);
  return r.issues;
}

describe('moduleSchemas', () => {
  it('has a schema for every module', () => {
    expect(Object.keys(moduleSchemas).sort()).toEqual([...MODULE_NAMES].sort());
  });
});

describe('apim modules', () => {
  it('apim_nginx_install takes an optional edition', () => {
    expect(valid('apim_nginx_install', null)).toEqual({});
    expect(valid('apim_nginx_install', { edition: 'plus' })).toEqual({ edition: 'plus' });
    expect(issues('apim_nginx_install', { edition: 'enterprise' })).toEqual([
      {
        path: ['edition'],
        message: 'invalid value, expected one of: auto, oss, plus',
        fix: 'use one of: auto, oss, plus',
      },
    ]);
  });

  it.each(['apim_tls_certificates', 'apim_lb_config', 'nginx_reload'] as const)(
    '%s takes no arguments',
    (m) => {
      expect(valid(m, null)).toEqual({});
      expect(valid(m, {})).toEqual({});
      const [issue] = issues(m, { force: true });
      expect(issue).toMatchObject({ path: ['force'], message: `unknown argument 'force' for module ${m}` });
      expect(issue!.fix).toContain('takes no arguments');
    },
  );
});

describe('package', () => {
  it('takes a name or a list, state defaulting to present', () => {
    expect(valid('package', { name: 'nginx' })).toEqual({ name: 'nginx', state: 'present' });
    expect(valid('package', { name: ['nginx', 'curl'], state: 'latest' })).toEqual({
      name: ['nginx', 'curl'],
      state: 'latest',
    });
  });

  it('rejects a missing name, an empty list and a bad state', () => {
    expect(issues('package', {})).toEqual([
      { path: ['name'], message: 'is required', fix: 'add this argument' },
    ]);
    expect(issues('package', { name: [] })[0]!.path).toEqual(['name']);
    expect(issues('package', { name: 'x', state: 'installed' })[0]!.message).toContain(
      'present, absent, latest',
    );
  });
});

describe('file', () => {
  it('normalises modes to 4-digit octal strings', () => {
    expect(valid('file', { path: '/srv/x', mode: '644' })).toEqual({
      path: '/srv/x',
      state: 'file',
      mode: '0644',
    });
    expect(valid('file', { path: '/srv/x', mode: '0750' }).mode).toBe('0750');
    expect(valid('file', { path: '/srv/x', mode: 0o640 }).mode).toBe('0640');
    expect(
      valid('file', { path: '/srv/x', state: 'directory', owner: 'www-data', group: 'adm' }),
    ).toMatchObject({
      state: 'directory',
      owner: 'www-data',
      group: 'adm',
    });
  });

  it('rejects relative paths, symbolic modes, bad states, and suggests close argument names', () => {
    const found = issues('file', { path: 'srv/x', mode: 'u+rw', state: 'link', ownr: 'root' });
    expect(found.map((i) => i.path.join('.'))).toEqual(['path', 'state', 'mode', 'ownr']);
    expect(found[0]!.message).toBe('must be an absolute path on the host');
    expect(found[2]!.fix).toContain("'0644'");
    expect(found[3]!.fix).toMatch(/^did you mean 'owner'\?/);
  });

  it('rejects modes out of range', () => {
    expect(issues('file', { path: '/x', mode: '0999' })[0]!.path).toEqual(['mode']);
    expect(issues('file', { path: '/x', mode: 0o17777 })[0]!.path).toEqual(['mode']);
  });
});

describe('copy', () => {
  it('needs exactly one of content and src', () => {
    expect(valid('copy', { dest: '/etc/motd', content: 'hi\n', mode: '0644' })).toEqual({
      dest: '/etc/motd',
      content: 'hi\n',
      mode: '0644',
    });
    expect(valid('copy', { dest: '/etc/motd', src: 'motd' })).toEqual({ dest: '/etc/motd', src: 'motd' });
    expect(issues('copy', { dest: '/etc/motd' })[0]!.message).toBe('needs exactly one of content or src');
    expect(issues('copy', { dest: '/etc/motd', src: 'a', content: 'b' })[0]!.message).toBe(
      'needs exactly one of content or src',
    );
  });

  it('requires dest', () => {
    expect(issues('copy', { content: 'x' }).map((i) => i.path)).toEqual([['dest']]);
  });
});

describe('template', () => {
  it('needs src and dest', () => {
    expect(valid('template', { src: 'a.j2', dest: '/etc/a', mode: '600' })).toEqual({
      src: 'a.j2',
      dest: '/etc/a',
      mode: '0600',
    });
    expect(issues('template', {}).map((i) => i.path)).toEqual([['src'], ['dest']]);
  });
});

describe('command and shell', () => {
  it.each(['command', 'shell'] as const)('%s takes a mapping with cmd or a free-form string', (m) => {
    expect(valid(m, { cmd: 'nginx -V', chdir: '/tmp' })).toEqual({ cmd: 'nginx -V', chdir: '/tmp' });
    expect(valid(m, 'touch /tmp/x creates=/tmp/x')).toEqual({ cmd: 'touch /tmp/x', creates: '/tmp/x' });
    expect(issues(m, { creates: '/x' })).toEqual([
      { path: ['cmd'], message: 'is required', fix: 'add this argument' },
    ]);
    expect(issues(m, { cmd: 'x', creates: 'relative' })[0]!.path).toEqual(['creates']);
  });

  it('only command and shell take free-form strings', () => {
    expect(issues('file', 'path=/x state=directory')[0]!.message).toBe('arguments of file must be a mapping');
  });
});

describe('parseFreeFormCommand', () => {
  it('extracts inline options anywhere and keeps the command as written', () => {
    expect(parseFreeFormCommand('ls -l  /tmp creates=/tmp/x chdir="/a b"')).toEqual({
      cmd: 'ls -l  /tmp',
      creates: '/tmp/x',
      chdir: '/a b',
    });
    expect(parseFreeFormCommand("chdir=/srv echo 'a  b' removes=/srv/y")).toEqual({
      cmd: "echo 'a  b'",
      chdir: '/srv',
      removes: '/srv/y',
    });
  });

  it('treats a Jinja expression with spaces as part of one word', () => {
    expect(parseFreeFormCommand('touch {{ root }}/x creates={{ root }}/x')).toEqual({
      cmd: 'touch {{ root }}/x',
      creates: '{{ root }}/x',
    });
  });

  it('leaves other key=value words in the command', () => {
    expect(parseFreeFormCommand('env FOO=bar run')).toEqual({ cmd: 'env FOO=bar run' });
  });
});

describe('service', () => {
  it('takes state and/or enabled, reading yes/no as booleans', () => {
    expect(valid('service', { name: 'nginx', state: 'started', enabled: 'yes' })).toEqual({
      name: 'nginx',
      state: 'started',
      enabled: true,
    });
    expect(valid('service', { name: 'nginx', enabled: false })).toEqual({ name: 'nginx', enabled: false });
  });

  it('rejects a service with nothing to do, and non-booleans', () => {
    expect(issues('service', { name: 'nginx' })[0]!.message).toBe('needs state or enabled');
    expect(issues('service', { name: 'nginx', enabled: 'maybe' })[0]!).toMatchObject({ path: ['enabled'] });
    expect(issues('service', { name: 'nginx', state: 'running' })[0]!.path).toEqual(['state']);
  });
});

describe('debug', () => {
  it('needs msg, of any type', () => {
    expect(valid('debug', { msg: 'hello' })).toEqual({ msg: 'hello' });
    expect(valid('debug', { msg: [1, 2] })).toEqual({ msg: [1, 2] });
    expect(issues('debug', {})[0]!.message).toBe('msg is required');
  });
});

describe('templated values', () => {
  it('pass checks they would fail as written, to be checked again after rendering', () => {
    expect(valid('file', { path: '{{ root }}', mode: '{{ mode }}', state: '{{ s }}' })).toEqual({
      path: '{{ root }}',
      mode: '{{ mode }}',
      state: '{{ s }}',
    });
    expect(valid('service', { name: 'nginx', enabled: '{{ enable_it }}' }).enabled).toBe('{{ enable_it }}');
    expect(valid('package', { name: '{{ packages }}' }).name).toBe('{{ packages }}');
  });

  it('do not hide errors in other arguments', () => {
    expect(issues('file', { path: '{{ root }}', state: 'bogus' })[0]!.path).toEqual(['state']);
  });
});

describe('resolveModuleName', () => {
  it('accepts short names, ansible.builtin and ansible.legacy FQCNs, and systemd for service', () => {
    expect(resolveModuleName('copy')).toBe('copy');
    expect(resolveModuleName('ansible.builtin.copy')).toBe('copy');
    expect(resolveModuleName('ansible.legacy.shell')).toBe('shell');
    expect(resolveModuleName('ansible.builtin.systemd')).toBe('service');
    expect(resolveModuleName('apim_lb_config')).toBe('apim_lb_config');
    expect(resolveModuleName('ansible.builtin.apim_lb_config')).toBeUndefined();
    expect(resolveModuleName('apt')).toBeUndefined();
  });
});
