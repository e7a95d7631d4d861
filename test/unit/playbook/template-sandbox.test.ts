import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  evaluateWhen,
  renderString,
  renderTemplateFile,
  renderValue,
  TemplateError,
  withLazyTemplates,
} from '../../../src/playbook/template.js';
import { MAX_RANGE } from '../../../src/playbook/template-runtime.js';
import { load, playWithTasks, where } from './helpers.js';

/** Set by any escape that reaches code execution: no test may ever see it set. */
const PWNED = '__apim_sandbox_pwned__';
const global = globalThis as Record<string, unknown>;
const RUN = `return (globalThis.${PWNED} = process.pid)`;

const vars = {
  text: 'Hello World',
  csv: 'a, b,c',
  names: ['api.am.wso2.com', 'gw.am.wso2.com'],
  tls: { dir: '/etc/nginx/ssl', enabled: true },
  hosts: { lb1: { ansible_host: '10.0.0.1' }, lb2: { ansible_host: '10.0.0.2' } },
  key: 'constructor',
  path: 'a.constructor',
  port: '8443',
  yes: 'yes',
  empty: [],
  nothing: null,
};
const site = { file: 'site.yml', line: 7, column: 5, task: 'Evil' };

function refusal(template: string, values: Record<string, unknown> = vars): string {
  let error: unknown;
  try {
    renderValue(template, values, site);
  } catch (err) {
    error = err;
  }
  expect(global[PWNED]).toBeUndefined();
  expect(error, `${template} must be refused`).toBeInstanceOf(TemplateError);
  return (error as TemplateError).message;
}

describe('template sandbox: escapes are refused before anything runs', () => {
  // Refused by the check of the parsed template, before rendering: the message names the name and the task.
  it.each([
    `{{ range.constructor("${RUN}")() }}`,
    `{{ range["constructor"]("${RUN}")() }}`,
    `{{ cycler.constructor("${RUN}")() }}`,
    `{{ joiner.constructor("${RUN}")() }}`,
    `{{ "".constructor.constructor("${RUN}")() }}`,
    `{{ text.constructor }}`,
    `{{ names.constructor }}`,
    `{{ tls.__proto__ }}`,
    `{{ tls["__proto__"] }}`,
    `{{ tls.__lookupGetter__("dir") }}`,
    `{{ tls.__defineGetter__ }}`,
    `{{ tls["__defineSetter__"] }}`,
    `{{ tls.__lookupSetter__ }}`,
    `{{ range.prototype }}`,
    `{{ constructor }}`,
    `{{ __proto__ }}`,
    `{% set c = range %}{{ c.constructor("${RUN}")() }}`,
    `{% set __proto__ = range %}x`,
    `{% set constructor = 1 %}x`,
    `{% for constructor in names %}{% endfor %}`,
    `{% for k, __proto__ in hosts %}{% endfor %}`,
    `{% macro constructor() %}{% endmacro %}`,
    `{% macro m(constructor) %}{% endmacro %}`,
    `{{ {"__proto__": range}.call }}`,
    `{{ { constructor: 1 } }}`,
    `{{ text | constructor }}`,
    `{{ names | groupby("constructor") }}`,
    `{{ names | groupby("length.constructor.constructor") }}`,
    `{{ names | sort(false, false, "constructor") }}`,
    `{{ names | sort(attribute="constructor") }}`,
    `{{ names | selectattr("__proto__") }}`,
    `{{ names | rejectattr("constructor") }}`,
    `{{ names | sum("constructor") }}`,
    `{{ names | map(attribute="constructor") }}`,
    `{{ names | join(",", "constructor") }}`,
    `{{ r/x/.constructor }}`,
    `{{ cycler(1, 2).next.constructor }}`,
    `{{ tls.items.constructor }}`,
    `{% if range.constructor %}x{% endif %}`,
    `{% for x in range.constructor("${RUN}")() %}{% endfor %}`,
    `{% call m() %}{{ caller.constructor }}{% endcall %}`,
  ])('refuses %s', (template) => {
    const message = refusal(template);
    expect(message).toMatch(/^template refused: '[\w.]+' is not allowed in a template/);
    expect(message).toContain('at site.yml:7:5');
  });

  // Computed names and values that are not data: refused by the runtime guard while rendering.
  it.each([
    `{{ range["constr" ~ "uctor"]("${RUN}")() }}`,
    `{{ range[key]("${RUN}")() }}`,
    `{% set k = "constr" %}{{ range[k ~ "uctor"]("${RUN}")() }}`,
    `{{ text[key][key]("${RUN}")() }}`,
    `{{ names | groupby(path) }}`,
    `{{ names | sort(attribute=path) }}`,
    `{{ names | map(attribute=path) }}`,
    `{{ tls["__pro" ~ "to__"] }}`,
    `{{ range.call }}`,
    `{{ range.apply }}`,
    `{{ range.bind }}`,
    `{{ range.name }}`,
    `{{ range.length }}`,
    `{{ range["toString"]() }}`,
    `{{ joiner()["call"] }}`,
    `{{ cycler(1, 2).next["bind"] }}`,
    `{% macro m() %}{% endmacro %}{{ m.call }}`,
    `{{ r/x/["source"] }}`,
    `{{ range(10000000000) }}`,
    `{{ range(0, ${MAX_RANGE + 1}) }}`,
  ])('refuses at run time %s', (template) => {
    expect(refusal(template)).toMatch(/^template error: /);
  });

  // JavaScript's inherited names are not attributes, filters, tests or variables of a template.
  it.each([
    [`{{ text | valueOf }}`, 'filter not found: valueOf'],
    [`{{ text | hasOwnProperty }}`, 'filter not found: hasOwnProperty'],
    [`{{ names | select("__defineGetter__", range) }}`, 'test not found: __defineGetter__'],
    [`{{ names | select("valueOf") }}`, 'test not found: valueOf'],
    [`{% if text is valueOf %}x{% endif %}`, 'test not found: valueOf'],
    [`{{ valueOf }}`, "undefined variable 'valueOf'"],
    [`{{ toString }}`, "undefined variable 'toString'"],
    [`{{ tls.hasOwnProperty }}`, "undefined variable 'tls.hasOwnProperty'"],
    [`{{ tls.hasOwnProperty("dir") }}`, 'Unable to call'],
    [`{{ tls.toString() }}`, 'Unable to call'],
    // tls.items is Python's dict method (Jinja's getattr), whose own attributes are not data.
    [`{{ tls.items["call"] }}`, "cannot read 'call' of a function"],
    [`{{ tls.items.call(tls) }}`, "cannot read 'call' of a function"],
    [`{{ text.toUpperCase() }}`, 'Unable to call'],
    [`{{ names.push(1) }}`, 'Unable to call'],
    [`{% include "/etc/passwd" %}`, 'template not found'],
    [`{% import "/etc/passwd" as p %}`, 'template not found'],
  ])('%s is not reachable', (template, message) => {
    expect(refusal(template)).toContain(message);
  });

  it('refuses an escape read lazily from an inventory variable, naming the variable', () => {
    const lazy = withLazyTemplates({
      ...vars,
      innocent: `{{ range.constructor("${RUN}")() }}`,
      computed: `{{ range[key]("${RUN}")() }}`,
    });
    expect(refusal('port={{ innocent }}', lazy)).toContain("variable 'innocent'");
    expect(refusal('{{ computed }}', lazy)).toContain("variable 'computed'");
  });

  it('refuses escapes in when: conditions (check mode evaluates them too)', () => {
    for (const when of [`range.constructor("${RUN}")()`, `range[key]("${RUN}")()`, `text is valueOf`]) {
      expect(() => evaluateWhen(when, vars, site)).toThrow(TemplateError);
    }
    expect(global[PWNED]).toBeUndefined();
  });

  it('refuses an escape in a template file, and in a file it includes, naming file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apim-sandbox-'));
    writeFileSync(join(dir, 'evil.j2'), `line one\nline two {{ range.constructor("${RUN}")() }}\n`);
    writeFileSync(join(dir, 'main.j2'), 'ok\n{% include "evil.j2" %}\n');
    const direct = expectError(() => renderTemplateFile(join(dir, 'evil.j2'), vars, site));
    expect(direct).toContain(`(${join(dir, 'evil.j2')} line 2, column 19)`);
    expect(direct).toContain("'constructor' is not allowed");
    const included = expectError(() => renderTemplateFile(join(dir, 'main.j2'), vars, site));
    expect(included).toContain(`${join(dir, 'evil.j2')} line 2, column 19`);
    expect(global[PWNED]).toBeUndefined();
  });
});

describe('template sandbox: validate refuses escapes before anything is contacted', () => {
  it('reports them in values, in when and in template files, with file, line and the fix', () => {
    const r = load(
      playWithTasks(
        '    - debug:\n        msg: \'{{ range.constructor("x")() }}\'\n' +
          '    - debug: {msg: a}\n      when: text.__proto__\n' +
          '    - template:\n        src: t.j2\n        dest: /x\n',
      ),
      { 'templates/t.j2': 'line one\n{{ names | groupby("constructor") }}\n' },
    );
    expect(where(r.diagnostics)).toEqual([
      "5:9 template refused: 'constructor' is not allowed in a template (it leads to JavaScript internals, not to data)",
      "7:7 template refused: '__proto__' is not allowed in a template (it leads to JavaScript internals, not to data)",
      expect.stringMatching(
        /^9:9 template refused in \/.*\/templates\/t\.j2:2:20: 'constructor' is not allowed/,
      ),
    ]);
    expect(r.diagnostics[0]!.fix).toContain('JavaScript internals');
  });
});

function expectError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as Error).message;
  }
  throw new Error('expected a TemplateError');
}

describe('template sandbox: ordinary Jinja as Ansible playbooks write it still works', () => {
  it.each([
    ["{{ missing | default('x') }}", 'x'],
    ['{{ nothing | default("n", true) }}', 'n'],
    ['{{ text | upper }}', 'HELLO WORLD'],
    ['{{ text | lower }}', 'hello world'],
    ["{{ names | join(', ') }}", 'api.am.wso2.com, gw.am.wso2.com'],
    ["{{ text | replace('World', 'API-M') }}", 'Hello API-M'],
    ['{{ port | int + 1 }}', '8444'],
    ['{{ yes | bool }}', 'True'],
    ['{{ names | length }}', '2'],
    ['{{ names | first }} {{ names | last }}', 'api.am.wso2.com gw.am.wso2.com'],
    ["{{ 'on' if tls.enabled else 'off' }}", 'on'],
    ['{% if empty | length %}some{% else %}none{% endif %}', 'none'],
    [
      '{% for n in names %}{{ loop.index }}:{{ n }}{{ "," if not loop.last }}{% endfor %}',
      '1:api.am.wso2.com,2:gw.am.wso2.com',
    ],
    [
      '{% for name, h in hosts | dictsort %}{{ name }}={{ h.ansible_host }};{% endfor %}',
      'lb1=10.0.0.1;lb2=10.0.0.2;',
    ],
    [
      '{% for name, h in hosts.items() %}{{ name }}={{ h["ansible_host"] }};{% endfor %}',
      'lb1=10.0.0.1;lb2=10.0.0.2;',
    ],
    ["{{ hosts.keys() | list | join(' ') }}", 'lb1 lb2'],
    ["{{ hosts.get('lb3', 'none') }}", 'none'],
    ["{{ csv.split(',') | join('|') }}", 'a| b|c'],
    ["{{ '  x  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '/a/'.rstrip('/') }}", 'x|hi|/a'],
    ["{{ text.startswith('Hell') }} {{ text.endswith(('x', 'ld')) }}", 'True True'],
    ["{{ text.lower().split() | join('-') }}", 'hello-world'],
    ["{{ 'a b  c'.split(None, 1) | join('|') }}", 'a|b  c'],
    ["{{ 'aaa'.replace('a', 'b', 2) }} {{ text.title() }} {{ 'x'.upper() }}", 'bba Hello World X'],
    ["{{ '-'.join(names) }}", 'api.am.wso2.com-gw.am.wso2.com'],
    ['{{ names[-1] }} {{ text[0] }} {{ names.index("gw.am.wso2.com") }}', 'gw.am.wso2.com H 1'],
    ['{% set ns = { "a": 1 } %}{{ ns.a }}{{ ns["a"] }}', '11'],
    ['{% macro tag(n) %}<{{ n }}>{% endmacro %}{{ tag("b") }}', '<b>'],
    ['{% set c = cycler("odd", "even") %}{{ c.next() }} {{ c.next() }}', 'odd even'],
    ['{% set j = joiner(",") %}{% for n in [1, 2] %}{{ j() }}{{ n }}{% endfor %}', '1,2'],
    ['{{ range(3) | join }} {{ range(1, 7, 2) | list | join(",") }}', '012 1,3,5'],
    ['{{ tls | dictsort | first | first }}', 'dir'],
    ["{{ 'api' in names[0] }} {{ 'dir' in tls }}", 'True True'],
    ['{{ text | regex_replace("o", "0") }}', 'Hell0 W0rld'],
  ])('%s -> %s', (template, expected) => {
    expect(renderString(template, vars)).toBe(expected);
  });

  it('evaluates conditions as Ansible writes them', () => {
    expect(evaluateWhen("tls.enabled and 'api.am.wso2.com' in names", vars)).toBe(true);
    expect(evaluateWhen(['port | int > 1000', 'missing is not defined'], vars)).toBe(true);
    expect(evaluateWhen("text.startswith('Bye')", vars)).toBe(false);
  });
});
