import { describe, expect, it } from 'vitest';
import { MODULE_CATALOG, MODULES, validateRendered } from '../../../src/modules/index.js';
import { parseFreeFormCommand } from '../../../src/playbook/free-form.js';
import type { ArgIssue, ModuleArgsResult } from '../../../src/playbook/index.js';

const resolveModuleName = (key: string) => MODULE_CATALOG.resolve(key);

function ok(r: ModuleArgsResult): Record<string, unknown> {
  if (!r.ok) throw new Error(`expected valid: ${JSON.stringify(r.issues)}`);
  return r.args;
}

function notOk(r: ModuleArgsResult): ArgIssue[] {
  if (r.ok) throw new Error(`expected invalid: ${JSON.stringify(r.args)}`);
  return r.issues;
}

/** As the playbook loader checks a task's arguments (templated values pass). */
const valid = (module: string, args: unknown) => ok(MODULE_CATALOG.validate(module, args));
const issues = (module: string, args: unknown) => notOk(MODULE_CATALOG.validate(module, args));

describe('the module registry', () => {
  it('lists every module once, each with a schema the loader and the engine both use', () => {
    const names = MODULES.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(MODULE_CATALOG.names).toEqual(names);
    expect(names).toEqual(
      expect.arrayContaining([
        'apim_nginx_install',
        'apim_lb_config',
        'nginx_reload',
        'nginx_rollback',
        'copy',
      ]),
    );
  });
});

describe('apim modules', () => {
  it('apim_nginx_install takes an optional edition', () => {
    expect(valid('apim_nginx_install', null)).toEqual({ edition: 'auto' });
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
    expect(issues(m, { cmd: 'x', creates: 'relative' })[0]!.path).toEqual(['creates']);
  });

  it('command takes cmd or argv (a list: the program and its arguments); shell needs cmd', () => {
    expect(valid('command', { argv: ['nginx', '-t'] })).toEqual({ argv: ['nginx', '-t'] });
    expect(issues('command', { creates: '/x' })[0]!.message).toBe('needs exactly one of cmd or argv');
    expect(issues('command', { cmd: 'a', argv: ['b'] })[0]!.message).toBe('needs exactly one of cmd or argv');
    expect(issues('shell', { creates: '/x' })).toEqual([
      { path: ['cmd'], message: 'is required', fix: 'add this argument' },
    ]);
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

describe('values that would reach a root shell or an option parser', () => {
  it.each([
    ['file', { path: '/srv/x', owner: 'root; touch /tmp/x' }, 'owner'],
    ['file', { path: '/srv/x', group: '$(id)' }, 'group'],
    ['file', { path: '/srv/x', mode: "0644'; id; '" }, 'mode'],
    ['copy', { dest: '/etc/a', content: 'x', owner: '`id`' }, 'owner'],
    ['service', { name: 'nginx; touch /tmp/x', state: 'started' }, 'name'],
    ['service', { name: '--global', state: 'started' }, 'name'],
    ['package', { name: '-oAPT::Update::Pre-Invoke::=touch /tmp/x' }, 'name'],
    ['package', { name: ['nginx', '--allow-unauthenticated'] }, 'name.1'],
    ['copy', { dest: '/etc/nginx/conf.d/../../../tmp/x', content: 'x' }, 'dest'],
    ['template', { src: 'a.j2', dest: '/etc/nginx//x' }, 'dest'],
    ['file', { path: '/etc/nginx/.' }, 'path'],
    ['file', { path: '/etc/nginx/conf.d/' }, 'path'],
  ] as const)('%s %j is refused at %s', (module, args, at) => {
    const found = issues(module, args);
    expect(found.map((i) => i.path.join('.'))).toContain(at);
    expect(found.find((i) => i.path.join('.') === at)!.fix).not.toBe('');
  });

  it('the same rules refuse a rendered value, with the same messages', () => {
    expect(valid('file', { path: '/srv/x', owner: '{{ o }}' }).owner).toBe('{{ o }}');
    const rendered = notOk(validateRendered('file', { path: '/srv/x', owner: 'root; touch /tmp/x' }));
    expect(rendered).toEqual(issues('file', { path: '/srv/x', owner: 'root; touch /tmp/x' }));
    expect(notOk(validateRendered('file', { path: '/srv/x', mode: '0999' }))[0]!.path).toEqual(['mode']);
    // a rendered value that still looks like a template is not waved through again
    expect(notOk(validateRendered('file', { path: '/srv/x', mode: '{{ m }}' }))[0]!.path).toEqual(['mode']);
    expect(ok(validateRendered('file', { path: '/srv/x', mode: '640' })).mode).toBe('0640');
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
