import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import {
  evaluateWhen,
  renderArgs,
  renderString,
  renderTemplateFile,
  renderValue,
  TemplateError,
  withLazyTemplates,
} from '../../../src/playbook/template.js';

const vars = {
  port: 8443,
  names: ['api.am.wso2.com', 'gw.am.wso2.com'],
  tls: { dir: '/etc/nginx/ssl', enabled: true },
  text: 'hello world',
  no_word: 'no',
  false_word: 'false',
  html: '<b>&</b>',
  empty: [],
};
const site = { file: 'site.yml', line: 12, column: 9, task: 'Write config' };

function thrown(f: () => unknown): TemplateError {
  try {
    f();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error('expected a TemplateError');
}

describe('renderString', () => {
  it('returns text without templates unchanged', () => {
    expect(renderString('plain {not a template}', {})).toBe('plain {not a template}');
  });

  it('renders variables, attributes and loops, without HTML escaping', () => {
    expect(renderString('https://{{ names[0] }}:{{ port }}{{ tls.dir }}', vars)).toBe(
      'https://api.am.wso2.com:8443/etc/nginx/ssl',
    );
    expect(renderString('{% for n in names %}{{ loop.index }}={{ n }};{% endfor %}', vars)).toBe(
      '1=api.am.wso2.com;2=gw.am.wso2.com;',
    );
    expect(renderString('{{ html }}', vars)).toBe('<b>&</b>');
  });

  it('names the undefined variable, the task and its position', () => {
    const err = thrown(() => renderString('server_name {{ apim_hostname }};', vars, site));
    expect(err.message).toBe(`undefined variable 'apim_hostname' in task "Write config" at site.yml:12:9`);
    expect(err.variable).toBe('apim_hostname');
    expect(err.loc).toEqual(site);
  });

  it('names undefined attributes by their path', () => {
    expect(thrown(() => renderString('{{ tls.key }}', vars)).variable).toBe('tls.key');
  });

  it('lets default, is defined and if-guards handle undefined variables', () => {
    expect(renderString("{{ missing | default('x') }}-{{ missing | d(port) }}", vars)).toBe('x-8443');
    expect(renderString('{% if missing is defined %}{{ missing }}{% else %}none{% endif %}', vars)).toBe(
      'none',
    );
    expect(renderString("{{ missing if missing is defined else 'fallback' }}", vars)).toBe('fallback');
    expect(renderString('{% if missing is defined and missing.x %}y{% endif %}n', vars)).toBe('n');
  });

  it('reports syntax errors and unknown filters as TemplateErrors', () => {
    expect(thrown(() => renderString('{{ port ', vars, site)).message).toMatch(
      /^template syntax error: .* in task "Write config" at site\.yml:12:9$/,
    );
    expect(thrown(() => renderString('{{ port | nosuchfilter }}', vars)).message).toContain(
      'filter not found: nosuchfilter',
    );
  });
});

describe('Ansible filters', () => {
  it.each([
    ["{{ 'yes' | bool }}", 'True'],
    ['{{ no_word | bool }}', 'False'],
    ['{{ tls | to_json }}', '{"dir": "/etc/nginx/ssl", "enabled": true}'],
    ['{{ names | to_yaml }}', '- api.am.wso2.com\n- gw.am.wso2.com\n'],
    ['{{ text | b64encode }}', 'aGVsbG8gd29ybGQ='],
    ["{{ 'aGVsbG8gd29ybGQ=' | b64decode }}", 'hello world'],
    ["{{ '/etc/nginx/conf.d/apim.conf' | basename }}", 'apim.conf'],
    ["{{ '/etc/nginx/conf.d/apim.conf' | dirname }}", '/etc/nginx/conf.d'],
    ["{{ text | regex_replace('(\\\\w+) (\\\\w+)', '\\\\2 \\\\1') }}", 'world hello'],
    ["{{ text | regex_replace('(?P<first>\\\\w+) .*', '\\\\g<first>!') }}", 'hello!'],
    ["{{ 'A-b' | regex_replace('a', 'x', ignorecase=true) }}", 'x-b'],
    ["{{ names | join(', ') }}", 'api.am.wso2.com, gw.am.wso2.com'],
    ['{{ port | mandatory }}', '8443'],
    ['{{ text | quote }}', "'hello world'"],
  ])('%s -> %s', (template, expected) => {
    expect(renderString(template, vars)).toBe(expected);
  });

  it('mandatory fails with its own message when its value is undefined at run time', () => {
    expect(
      thrown(() => renderString("{{ tls['nope'] | mandatory('set tls.nope') }}", vars)).message,
    ).toContain("undefined variable 'tls.nope'");
    expect(
      thrown(() => renderString("{{ none_value | mandatory('set it') }}", { none_value: undefined })).message,
    ).toBe('set it');
  });
});

describe('renderValue and renderArgs', () => {
  it('keeps what ansible-core 2.14 keeps of a whole-value template: lists, dicts and bools', () => {
    expect(renderValue('{{ names }}', vars)).toEqual(vars.names);
    expect(renderValue('{{ tls.enabled }}', vars)).toBe(true);
    expect(renderValue("{{ {'a': {'b': [1]}} }}", vars)).toEqual({ a: { b: [1] } });
    expect(renderValue('{{ port }}/x', vars)).toBe('8443/x');
    expect(renderValue(' {{ port }}', vars)).toBe(' 8443');
  });

  it('makes numbers and None text and reads list-, dict- and bool-looking text, as 2.14 does', () => {
    const cases: [string, unknown][] = [
      ['{{ port }}', '8443'],
      ['{{ port + 1 }}', '8444'],
      ['{{ 4 / 2 }}', '2.0'],
      ['{{ 1e3 }}', '1000.0'],
      ['{{ none }}', ''],
      ['{{ (1, 2) }}', '(1, 2)'],
      ["{{ '[1, 2.5]' }}", [1, 2.5]],
      ["{{ 'True' }}", true],
      ["[{{ port }}, '{{ text }}']", [8443, 'hello world']],
      ["{{ '[1,' }}", '[1,'],
    ];
    expect(cases.map(([template]) => [template, renderValue(template, vars)])).toEqual(cases);
  });

  it('leaves the text of to_json, string and the like as text (NativeJinjaText), also through a variable', () => {
    expect(renderValue('{{ names | to_json }}', vars)).toBe('["api.am.wso2.com", "gw.am.wso2.com"]');
    expect(renderValue('{{ (tls | to_nice_json) }}', vars)).toBe(
      '{\n    "dir": "/etc/nginx/ssl",\n    "enabled": true\n}',
    );
    expect(renderValue('{{ names | string }}', vars)).toBe("['api.am.wso2.com', 'gw.am.wso2.com']");
    const lazy = withLazyTemplates({
      ...vars,
      j: '{{ names | to_json }}',
      k: '{{ names | join(",") | to_json }}',
    });
    expect(renderValue('{{ j }}', lazy)).toBe('["api.am.wso2.com", "gw.am.wso2.com"]');
    expect(renderValue('{{ k }}', lazy)).toBe('"api.am.wso2.com,gw.am.wso2.com"');
    expect(renderValue('{{ j | lower }}', lazy)).toEqual(['api.am.wso2.com', 'gw.am.wso2.com']);
  });

  it('renders deeply through objects and lists, leaving other values alone', () => {
    const secret = new Secret('s3cret');
    const out = renderArgs(
      {
        dest: '{{ tls.dir }}/a.pem',
        list: ['{{ port }}', 'x'],
        nested: { n: '{{ names | length }}' },
        n: 1,
        secret,
      },
      vars,
    );
    expect(out).toEqual({
      dest: '/etc/nginx/ssl/a.pem',
      list: ['8443', 'x'],
      nested: { n: '2' },
      n: 1,
      secret,
    });
    expect(out.secret).toBe(secret);
  });

  it('reports undefined variables in whole-value templates with the task', () => {
    expect(thrown(() => renderArgs({ a: '{{ nope }}' }, vars, site)).message).toBe(
      `undefined variable 'nope' in task "Write config" at site.yml:12:9`,
    );
  });
});

describe('evaluateWhen', () => {
  it.each([
    ['port == 8443', true],
    ['port > 9000', false],
    ["'api.am.wso2.com' in names", true],
    ['tls.enabled and port == 8443', true],
    ['tls.enabled == True', true],
    // A non-empty string is true in Ansible's `{% if %}`; braces make it the expression itself.
    ['no_word', true],
    ['{{ false_word }}', false],
    ['no_word | bool', false],
    ['empty', false],
    ['names', true],
    ['missing is defined', false],
    ['missing is not defined', true],
    ['missing | default(false)', false],
    ['{{ port == 8443 }}', true],
    ['true', true],
  ] as const)('%s -> %s', (expr, expected) => {
    expect(evaluateWhen(expr, vars)).toBe(expected);
  });

  it('requires every condition of a list', () => {
    expect(evaluateWhen(['port == 8443', 'tls.enabled'], vars)).toBe(true);
    expect(evaluateWhen(['port == 8443', 'empty'], vars)).toBe(false);
  });

  it('fails on undefined variables instead of reading them as false', () => {
    const err = thrown(() => evaluateWhen('nginx_edition == "plus"', vars, site));
    expect(err.variable).toBe('nginx_edition');
    expect(err.message).toContain('at site.yml:12:9');
    // "{{ no_word }}" renders to the expression `no`, a variable nobody defined (as in Ansible).
    expect(thrown(() => evaluateWhen('{{ no_word }}', vars, site)).variable).toBe('no');
  });
});

describe('renderTemplateFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apim-template-'));
  writeFileSync(join(dir, 'main.j2'), 'upstream {\n{% include "servers.j2" %}}\n');
  writeFileSync(join(dir, 'servers.j2'), '{% for n in names %}  server {{ n }}:{{ port }};\n{% endfor %}');
  writeFileSync(join(dir, 'broken.j2'), 'a\nb {{ nope }}\n');

  it('renders a file that includes its neighbours', () => {
    expect(renderTemplateFile(join(dir, 'main.j2'), vars)).toBe(
      'upstream {\n  server api.am.wso2.com:8443;\n  server gw.am.wso2.com:8443;\n}\n',
    );
  });

  it('names the template file and line of an undefined variable', () => {
    const err = thrown(() => renderTemplateFile(join(dir, 'broken.j2'), vars, site));
    expect(err.message).toBe(
      `undefined variable 'nope' (${join(dir, 'broken.j2')} line 2) in task "Write config" at site.yml:12:9`,
    );
  });

  it('reports a missing file', () => {
    expect(thrown(() => renderTemplateFile(join(dir, 'absent.j2'), vars)).message).toMatch(
      /template does not exist/,
    );
  });
});

describe('withLazyTemplates', () => {
  it('renders templated variables when read, against the other variables, as 2.14 types them', () => {
    const lazy = withLazyTemplates({
      host: 'lb1',
      url: 'https://{{ host }}:{{ port }}',
      port: '{{ base_port + 443 }}',
      base_port: 8000,
      names: ['{{ host }}', 'localhost'],
      broken: '{{ never_defined }}',
    });
    expect(renderString('{{ url }} {{ names | join(",") }}', lazy)).toBe('https://lb1:8443 lb1,localhost');
    expect(renderValue('{{ port }}', lazy)).toBe('8443');
    expect(() => renderValue('{{ port + 1 }}', lazy)).toThrow(TemplateError);
    expect(evaluateWhen('port == 8443', lazy)).toBe(false);
    expect(evaluateWhen('port == "8443"', lazy)).toBe(true);
  });

  it('only fails for a broken variable when something reads it', () => {
    const lazy = withLazyTemplates({ ok: 'yes', broken: '{{ never_defined }}' });
    expect(renderString('{{ ok }}', lazy)).toBe('yes');
    expect(thrown(() => renderString('{{ broken }}', lazy)).variable).toBe('never_defined');
  });

  it('reports variables that refer to themselves', () => {
    const lazy = withLazyTemplates({ a: '{{ b }}', b: '{{ a }}' });
    expect(thrown(() => renderString('{{ a }}', lazy)).message).toMatch(/variable '(a|b)' refers to itself/);
  });
});

describe("Jinja2's lexing", () => {
  it('reads number literals as Jinja2 does: exponents are floats, _ separates digits, 0x/0o/0b', () => {
    expect(renderString('{{ 1e3 }} {{ 1.5e-3 }} {{ 1E3 }} {{ 2.5E+2 }} {{ 1e20 }}', vars)).toBe(
      '1000.0 0.0015 1000.0 250.0 1e+20',
    );
    expect(renderString('{{ 1_000 }} {{ 0x1F }} {{ 0O17 }} {{ 0b101 }} {{ 0 }} {{ 1e3 + port }}', vars)).toBe(
      '1000 31 15 5 0 9443.0',
    );
    expect(renderString('{{ [[1, 2]][0][1] }} {{ names[1] }}', vars)).toBe('2 gw.am.wso2.com');
    // A number run into a name is two tokens, as in Jinja2: a syntax error, not a variable `1e3x`.
    expect(thrown(() => renderString('{{ 10px }}', vars)).message).toMatch(/^template syntax error/);
  });

  it('ends a tag at }} only outside strings and brackets', () => {
    expect(renderString("{{ {'a': {'b': 1}} }}|{{ {'a': 1}}}|{{ '}}' }}|{{ [{'a': [1]}]}}", vars)).toBe(
      "{'a': {'b': 1}}|{'a': 1}|}}|[{'a': [1]}]",
    );
    expect(renderString("{% if {'a': {'b': 1}} %}y{% endif %}", vars)).toBe('y');
    expect(renderValue("{{- {'a': {'b': port}} -}}", vars)).toEqual({ a: { b: 8443 } });
    expect(thrown(() => renderString("{{ {'a': 1 }}", vars)).message).toMatch(/^template syntax error/);
  });
});

describe("Python's float floor division and modulo (CPython's float_divmod)", () => {
  it('rounds as Python does, not as Math.floor(a / b) and ((a % b) + b) % b do', () => {
    expect(
      renderString(
        '{{ 0.1 % 2.5 }} {{ 3 // 1.5e-3 }} {{ -7 // 2 }} {{ -7 % 2 }} {{ 7 % -2 }} {{ -0.5 // 1 }}',
        vars,
      ),
    ).toBe('0.1 1999.0 -4 1 -1 -1.0');
  });
});

describe('methods used as values', () => {
  // Python writes `<built-in method keys of dict object at 0x7f..>` (an address): refused instead.
  it.each(['{{ mapping.keys }}', 'x{{ names.count }}', '{{ mapping.values | string }}'])(
    '%s is refused',
    (text) => {
      expect(() => renderString(text, { mapping: { a: 1 }, names: ['a'] })).toThrow(
        /a method is not a value/,
      );
    },
  );
});
