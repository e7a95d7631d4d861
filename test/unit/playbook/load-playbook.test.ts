import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODULE_CATALOG } from '../../../src/modules/index.js';
import { loadPlaybook } from '../../../src/playbook/load-playbook.js';
import { load, playWithTasks, where } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'playbook');

describe('loadPlaybook: whole-file problems', () => {
  it('reports an unreadable file', () => {
    const r = loadPlaybook('/nonexistent/site.yml', MODULE_CATALOG);
    expect(r.playbook).toBeUndefined();
    expect(r.diagnostics[0]!.message).toBe('playbook does not exist');
  });

  it('reports YAML syntax errors with their position', () => {
    const r = load('- hosts: a\n  tasks: [\n');
    expect(r.playbook).toBeUndefined();
    expect(r.diagnostics[0]!.message).toMatch(/^YAML syntax/);
    expect(r.diagnostics[0]!.line).toBeGreaterThan(0);
  });

  it('wants a list of plays', () => {
    expect(where(load('hosts: all\n').diagnostics)).toEqual(['1:1 a playbook must be a list of plays']);
    expect(where(load('- just a string\n').diagnostics)).toEqual(['1:3 a play must be a mapping']);
  });
});

describe('loadPlaybook: every problem at once, each located', () => {
  const r = loadPlaybook(join(FIXTURES, 'many-problems.yml'), MODULE_CATALOG);

  it('returns no playbook', () => {
    expect(r.playbook).toBeUndefined();
  });

  it('reports each problem with its line and column', () => {
    expect(where(r.diagnostics)).toEqual([
      "5:3 unknown play keyword 'becom'",
      "8:3 'roles' is not supported by apim-provision (yet)",
      '6:3 serial must be a positive number of hosts or a percentage, not 0',
      '7:3 max_fail_percentage must be a number from 0 to 100, not 150',
      "11:7 unknown module or task keyword 'copyy'",
      '17:7 task names more than one module (file, copy)',
      "22:7 'loop' is not supported by apim-provision (yet)",
      '29:9 mode 0644 is an unquoted number: YAML 1.2 reads it as decimal 644, not as an octal mode',
      "25:7 notify names 'reload ngnix', which is no handler of this play",
    ]);
  });

  it('gives a fix for each, with did-you-mean where a name is close', () => {
    const fix = (line: number) => r.diagnostics.find((d) => d.line === line)!.fix;
    expect(fix(5)).toMatch(/^did you mean 'become'\?/);
    expect(fix(11)).toMatch(/^did you mean 'copy'\?/);
    expect(fix(25)).toMatch(/^did you mean 'reload nginx'\?/);
    expect(fix(29)).toBe("quote it: '0644'");
    expect(fix(22)).toContain('one task per item');
    expect(fix(8)).toContain("copy the role's tasks");
    for (const d of r.diagnostics) {
      expect(d.file).toBe(join(FIXTURES, 'many-problems.yml'));
      expect(d.fix.length).toBeGreaterThan(5);
      expect(d.severity).toBe('error');
    }
  });

  it('gives key paths', () => {
    expect(r.diagnostics.map((d) => d.key)).toContain('0.tasks.4.file.mode');
    expect(r.diagnostics.map((d) => d.key)).toContain('0.tasks.0.copyy');
  });
});

describe('loadPlaybook: plays', () => {
  it('requires hosts', () => {
    expect(where(load('- name: x\n  tasks: []\n').diagnostics)).toEqual(['1:3 play has no hosts']);
  });

  it('defaults the name to the host pattern and joins host lists', () => {
    const r = load('- hosts: [lb1, lb2]\n  tasks: []\n');
    expect(r.playbook!.plays[0]).toMatchObject({
      name: 'lb1:lb2',
      hosts: 'lb1:lb2',
      anyErrorsFatal: false,
      tags: [],
    });
  });

  it('reads serial as a number or a percentage', () => {
    const serial = (v: string) => load(`- hosts: all\n  serial: ${v}\n`).playbook?.plays[0]!.serial;
    expect(serial('2')).toBe(2);
    expect(serial('"3"')).toBe(3);
    expect(serial('"30%"')).toBe('30%');
    expect(serial('"0%"')).toBeUndefined();
    expect(serial('"150%"')).toBeUndefined();
    expect(serial('-1')).toBeUndefined();
    expect(where(load('- hosts: all\n  serial: [1, 5]\n').diagnostics)).toEqual([
      '2:3 a list of batch sizes in serial is not supported by apim-provision (yet)',
    ]);
  });

  it('reads max_fail_percentage, any_errors_fatal, become and tags', () => {
    const r = load(
      '- hosts: all\n  max_fail_percentage: 25\n  any_errors_fatal: yes\n  become: true\n  become_user: root\n  tags: a, b\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.playbook!.plays[0]).toMatchObject({
      maxFailPercentage: 25,
      anyErrorsFatal: true,
      become: true,
      becomeUser: 'root',
      tags: ['a', 'b'],
    });
    expect(where(load('- hosts: all\n  max_fail_percentage: -1\n').diagnostics)[0]).toMatch(/^2:3 max_fail/);
    expect(where(load('- hosts: all\n  tags: {a: 1}\n').diagnostics)).toEqual([
      '2:3 tags must be a string or a list of strings',
    ]);
  });

  it('accepts harmless keywords: gather_facts, become_method sudo', () => {
    expect(load('- hosts: all\n  gather_facts: false\n  become_method: sudo\n').diagnostics).toEqual([]);
    expect(where(load('- hosts: all\n  become_method: su\n').diagnostics)).toEqual([
      '2:3 only sudo is supported as become_method',
    ]);
  });

  it('rejects variable names Jinja cannot read', () => {
    expect(where(load('- hosts: all\n  vars:\n    my-var: 1\n').diagnostics)).toEqual([
      "3:5 'my-var' is not a valid variable name",
    ]);
  });

  it.each(['pre_tasks', 'vars_files', 'import_playbook'])('rejects %s as unsupported', (key) => {
    const [d] = load(`- hosts: all\n  ${key}: []\n`).diagnostics;
    expect(d).toMatchObject({
      line: 2,
      column: 3,
      message: `'${key}' is not supported by apim-provision (yet)`,
    });
  });
});

describe('loadPlaybook: tasks', () => {
  /** A play of one debug task with `line` added to it (line 5). */
  const loadTaskLine = (line: string) => load(playWithTasks(`    - debug: {msg: a}\n      ${line}\n`));

  it('names a nameless task after its module, and keeps its location', () => {
    const r = load(playWithTasks('    - debug:\n        msg: hi\n'));
    expect(r.playbook!.plays[0]!.tasks[0]).toEqual({
      name: 'debug',
      module: 'debug',
      args: { msg: 'hi' },
      notify: [],
      tags: [],
      loc: { file: expect.stringMatching(/site\.yml$/) as string, line: 4, column: 7 },
    });
  });

  it('accepts FQCN module names', () => {
    const r = load(playWithTasks('    - ansible.builtin.copy:\n        dest: /x\n        content: y\n'));
    expect(r.playbook!.plays[0]!.tasks[0]!.module).toBe('copy');
  });

  it('reports a task without module', () => {
    expect(where(load(playWithTasks('    - name: nothing\n      tags: a\n')).diagnostics)).toEqual([
      '4:7 task names no module',
    ]);
  });

  it('reports module argument problems at the argument', () => {
    const r = load(playWithTasks('    - name: t\n      file:\n        path: relative\n        state: dir\n'));
    expect(where(r.diagnostics)).toEqual([
      '6:9 file.path: must be an absolute path on the host',
      '7:9 file.state: invalid value, expected one of: file, directory, absent, touch',
    ]);
  });

  it('merges args: into a free-form command', () => {
    const r = load(playWithTasks('    - command: nginx -t\n      args:\n        chdir: /etc/nginx\n'));
    expect(r.playbook!.plays[0]!.tasks[0]!.args).toEqual({ cmd: 'nginx -t', chdir: '/etc/nginx' });
  });

  it('keeps a list of when conditions apart (evaluated one by one); accepts booleans', () => {
    const r = load(
      playWithTasks(
        '    - debug: {msg: a}\n      when:\n        - a == 1\n        - b\n    - debug: {msg: b}\n      when: false\n',
      ),
    );
    expect(r.playbook!.plays[0]!.tasks.map((t) => t.when)).toEqual([['a == 1', 'b'], 'false']);
  });

  it.each([
    ['register', 'register: out'],
    ['delegate_to', 'delegate_to: localhost'],
    ['with_items', 'with_items: [a]'],
    ['include_tasks', 'include_tasks: x.yml'],
    ['block', 'block: []'],
  ])('rejects %s as unsupported, with a fix', (key, line) => {
    const r = loadTaskLine(line);
    expect(where(r.diagnostics)).toEqual([`5:7 '${key}' is not supported by apim-provision (yet)`]);
    expect(r.diagnostics[0]!.fix).not.toBe('');
  });

  it('flattens YAML merge keys as Ansible does: anchored task keys merged in, the written ones winning', () => {
    const r = load(
      playWithTasks(
        '    - &say\n      name: say\n      debug: {msg: hi}\n      tags: [a]\n' +
          '    - <<: *say\n      name: again\n    - <<: [{when: x is defined}, *say]\n      name: third\n',
      ),
    );
    expect(where(r.diagnostics)).toEqual([]);
    expect(r.playbook!.plays[0]!.tasks.map((t) => [t.name, t.args, t.tags, t.when])).toEqual([
      ['say', { msg: 'hi' }, ['a'], undefined],
      ['again', { msg: 'hi' }, ['a'], undefined],
      ['third', { msg: 'hi' }, ['a'], 'x is defined'],
    ]);
  });

  it.each([
    ['<<: 5', '5:11 a merge key (<<) needs a mapping or a list of mappings'],
    ['<<:', '5:10 a merge key (<<) needs a mapping or a list of mappings'],
    ['<<: [{when: x}, 5]', '5:11 a merge key (<<) needs a mapping or a list of mappings'],
    ['<<: [*nope]', '5:12 YAML alias refers to an anchor that is not defined before it'],
  ])('reports a merge key of %j at its position, no exception', (line, expected) => {
    const r = loadTaskLine(line);
    expect(r.playbook).toBeUndefined();
    expect(where(r.diagnostics).map((d) => d.replace(/ \(Unresolved alias.*/, ''))).toEqual([expected]);
  });

  it('accepts 0o-prefixed modes, which are unambiguous', () => {
    const r = load(playWithTasks('    - file:\n        path: /x\n        mode: 0o640\n'));
    expect(r.playbook!.plays[0]!.tasks[0]!.args.mode).toBe('0640');
  });

  it('reports a missing src file, and resolves one found in files/', () => {
    const missing = load(playWithTasks('    - copy:\n        src: nope.txt\n        dest: /x\n'));
    expect(where(missing.diagnostics)[0]).toMatch(/^5:9 src file not found: nope\.txt/);
    const found = load(playWithTasks('    - copy:\n        src: a.txt\n        dest: /x\n'), {
      'files/a.txt': 'a',
    });
    expect(found.playbook!.plays[0]!.tasks[0]!.args.src).toMatch(/\/files\/a\.txt$/);
  });

  it('reports template syntax errors in values, in when and in template files', () => {
    const r = load(
      playWithTasks(
        "    - debug:\n        msg: '{{ x '\n    - debug: {msg: a}\n      when: a ==\n    - template:\n        src: t.j2\n        dest: /x\n",
      ),
      { 'templates/t.j2': 'line one\n{% if x %}\nno end\n' },
    );
    expect(where(r.diagnostics)).toEqual([
      '5:9 template syntax error: expected variable end',
      '7:7 template syntax error: unexpected token: )',
      expect.stringMatching(/^9:9 template syntax error in \/.*\/templates\/t\.j2:4:1: .*endif/),
    ]);
  });
});

describe('loadPlaybook: handlers and notify', () => {
  it('accepts notify by handler name or listen topic, as a string or a list', () => {
    const r = load(
      playWithTasks(
        '    - apim_lb_config:\n      notify: [reload]\n    - apim_tls_certificates:\n      notify: restart web\n',
        '',
      ) + '  handlers:\n    - name: reload\n      nginx_reload:\n      listen: restart web\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.playbook!.plays[0]!.handlers[0]!.listen).toEqual(['restart web']);
  });

  it('reports a notify naming no handler, with the list of handlers', () => {
    const r = load(
      playWithTasks('    - apim_lb_config:\n      notify: [reload, nope]\n') +
        '  handlers:\n    - name: reload\n      nginx_reload:\n',
    );
    expect(where(r.diagnostics)).toEqual(["5:24 notify names 'nope', which is no handler of this play"]);
    expect(r.diagnostics[0]!.fix).toBe('handlers of this play: reload');
  });

  it('rejects listen on a task', () => {
    expect(where(load(playWithTasks('    - apim_lb_config:\n      listen: x\n')).diagnostics)).toEqual([
      '5:7 listen is only for handlers',
    ]);
  });
});
