import { describe, expect, it } from 'vitest';
import { BUILTIN_VARS, checkUndefinedVariables } from '../../../src/playbook/undefined-variables.js';
import { MODULE_CATALOG } from '../../../src/modules/index.js';
import type { Playbook } from '../../../src/playbook/types.js';
import { load, playWithTasks, where } from './helpers.js';

function playbookOf(text: string, files: Record<string, string> = {}): Playbook {
  const { playbook, diagnostics } = load(text, files);
  if (!playbook) throw new Error(JSON.stringify(diagnostics));
  return playbook;
}

const hosts = (...entries: [string, Record<string, unknown>][]) => new Map(entries);

describe('checkUndefinedVariables', () => {
  it('exports the built-in variable names', () => {
    for (const v of ['inventory_hostname', 'groups', 'group_names', 'hostvars', 'ansible_facts']) {
      expect(BUILTIN_VARS).toContain(v);
    }
    for (const v of ['nginx_version', 'nginx_conf_prefix', 'nginx_edition', 'apim_pattern']) {
      expect(BUILTIN_VARS).toContain(v);
    }
  });

  it('reports an undefined variable with the task position and a fix', () => {
    const pb = playbookOf(
      playWithTasks(
        "    - name: Write config\n      copy:\n        dest: /x\n        content: '{{ apim_hostname }}'\n",
      ),
    );
    const [d, ...rest] = checkUndefinedVariables(pb, () => hosts(['lb1', {}]), MODULE_CATALOG);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      file: pb.file,
      line: 4,
      column: 7,
      key: '0.tasks.0.copy.content',
      message: `undefined variable 'apim_hostname' in task "Write config"`,
      severity: 'error',
    });
    expect(d!.fix).toContain("define it in the play's vars, in group_vars/");
    expect(d!.fix).toContain("{{ apim_hostname | default('...') }}");
  });

  it('accepts play vars, host vars, built-ins, loop and set variables, and guarded reads', () => {
    const pb = playbookOf(
      playWithTasks(
        [
          '    - name: "{{ greeting }} {{ inventory_hostname }}"',
          '      debug:',
          '        msg: "{% for n in names %}{{ n }}{% endfor %}{% set x = 1 %}{{ x }}{{ opt | default(\'\') }}"',
          '      when: other is defined and other.ok',
          '',
        ].join('\n'),
        '  vars:\n    greeting: hi\n',
      ),
    );
    expect(checkUndefinedVariables(pb, () => hosts(['lb1', { names: ['a'] }]), MODULE_CATALOG)).toEqual([]);
  });

  it('reads a when: list as Ansible runs it: an earlier `is defined` item guards the later ones', () => {
    const task = (when: string) => `    - name: Check\n      debug:\n        msg: hi\n      when: ${when}\n`;
    const check = (when: string) =>
      checkUndefinedVariables(
        playbookOf(playWithTasks(task(when))),
        () => hosts(['lb1', {}]),
        MODULE_CATALOG,
      ).map((d) => d.message);
    expect(check('[x is defined, x > 1]')).toEqual([]);
    expect(check('[(x is defined), "x.y | length > 0"]')).toEqual([]);
    expect(check('[y is not defined or y > 1]')).toEqual([]);
    expect(check('[x is undefined or x > 1, true]')).toEqual([]);
    // Unguarded: the item that reads x first, or a guard of another name.
    expect(check('[x > 1, x is defined]')).toEqual([`undefined variable 'x' in task "Check"`]);
    expect(check('[z is defined, x > 1]')).toEqual([`undefined variable 'x' in task "Check"`]);
  });

  it('says which hosts miss a variable when only some do', () => {
    const pb = playbookOf(playWithTasks("    - debug:\n        msg: '{{ site }}'\n"));
    const diags = checkUndefinedVariables(
      pb,
      () => hosts(['lb1', { site: 'a' }], ['lb2', {}], ['lb3', {}]),
      MODULE_CATALOG,
    );
    expect(diags.map((d) => d.message)).toEqual([
      `undefined variable 'site' in task "debug" for hosts lb2, lb3`,
    ]);
    expect(checkUndefinedVariables(pb, () => hosts(['lb1', { site: 'a' }]), MODULE_CATALOG)).toEqual([]);
  });

  it('checks when, names, handlers and play vars, once per task and variable', () => {
    const pb = playbookOf(
      playWithTasks(
        "    - name: '{{ a }}'\n      debug:\n        msg: '{{ a }} {{ a }}'\n      when: b\n",
        "  vars:\n    v: '{{ c }}'\n",
      ) + "  handlers:\n    - name: h\n      debug:\n        msg: '{{ d }}'\n",
    );
    expect(where(checkUndefinedVariables(pb, () => new Map(), MODULE_CATALOG))).toEqual([
      "1:3 undefined variable 'c' in play vars (v)",
      `6:7 undefined variable 'a' in task "{{ a }}"`,
      `6:7 undefined variable 'b' in task "{{ a }}"`,
      `11:7 undefined variable 'd' in handler "h"`,
    ]);
  });

  it('reads template files and names the line inside them', () => {
    const pb = playbookOf(playWithTasks('    - template:\n        src: t.j2\n        dest: /x\n'), {
      'templates/t.j2': 'a\n{% for s in servers %}{{ s }}{% endfor %}\n{{ missing_thing }}\n',
    });
    const diags = checkUndefinedVariables(pb, () => hosts(['lb1', { servers: [] }]), MODULE_CATALOG);
    expect(diags).toHaveLength(1);
    expect(diags[0]!.message).toMatch(
      /^undefined variable 'missing_thing' in task "template" \(.*t\.j2 line 3\)$/,
    );
    expect(diags[0]!.line).toBe(4);
  });

  it('asks the module registry which modules render their src file, not a hardcoded name', () => {
    const loaded = playbookOf(playWithTasks('    - template:\n        src: t.j2\n        dest: /x\n'), {
      'templates/t.j2': '{{ missing_thing }}\n',
    });
    const play = loaded.plays[0]!;
    const renamed: Playbook = {
      ...loaded,
      plays: [{ ...play, tasks: play.tasks.map((t) => ({ ...t, module: 'site_template' })) }],
    };
    const catalog = { srcIsTemplate: (m: string) => m === 'site_template' };
    const [d, ...rest] = checkUndefinedVariables(renamed, () => hosts(['lb1', {}]), catalog);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ key: '0.tasks.0.site_template.src' });
    expect(d!.message).toContain("undefined variable 'missing_thing'");
    expect(checkUndefinedVariables(loaded, () => hosts(['lb1', {}]), { srcIsTemplate: () => false })).toEqual(
      [],
    );
  });

  it('reports template syntax errors as diagnostics', () => {
    const pb: Playbook = {
      file: 'p.yml',
      plays: [
        {
          name: 'p',
          hosts: 'all',
          vars: {},
          handlers: [],
          anyErrorsFatal: false,
          tags: [],
          loc: { file: 'p.yml', line: 1, column: 3 },
          tasks: [
            {
              name: 't',
              module: 'debug',
              args: { msg: '{% if x %}' },
              notify: [],
              tags: [],
              loc: { file: 'p.yml', line: 5, column: 7 },
            },
          ],
        },
      ],
    };
    const [d] = checkUndefinedVariables(pb, () => new Map(), MODULE_CATALOG);
    expect(d).toMatchObject({ line: 5, column: 7, key: '0.tasks.0.debug.msg', severity: 'error' });
    expect(d!.message).toMatch(/^template syntax error: /);
  });
});
