/**
 * Truth, `and`/`or`, comparisons and the filters that decide by them, as Ansible (Jinja2 on
 * Python) evaluates them. Each case records ansible-core 2.14's answer: jinja-truth.test.ts
 * (conformance) checks every record against the real ansible-playbook and against
 * apim-provision's engine; test/unit/playbook/jinja-truth.test.ts checks the engine against the
 * records without Ansible.
 */

import {
  evaluateExpression,
  evaluateWhen,
  renderString,
  TemplateError,
} from '../../src/playbook/template.js';

/** What one case gives: a value (an expression's, compared as JSON), a rendered text, or whether a `when:` ran. */
export type TruthOutcome = { value: unknown } | { output: string } | { ran: boolean } | { error: true };

export type TruthCase =
  | { kind: 'expr'; source: string; expect: { value: unknown } | { error: true } }
  | { kind: 'text'; source: string; expect: { output: string } | { error: true } }
  | { kind: 'when'; source: string | string[]; expect: { ran: boolean } | { error: true } };

/** The play's vars, the same for both engines. */
export const TRUTH_VARS = {
  empty_list: [],
  empty_dict: {},
  empty_str: '',
  zero: 0,
  zero_float: 0.0,
  none_value: null,
  false_str: 'false',
  no_str: 'no',
  yes_str: 'yes',
  zero_str: '0',
  space_str: ' ',
  mapping: { a: 1, b: 2 },
  nested: { x: [] },
  flags: { t: true, f: false },
  items: [
    { name: 'a', on: true, n: 0 },
    { name: 'b', on: false, n: 1 },
    { name: 'c', n: [] },
  ],
  mixed: [1, 'a', null, true, 2.5, { k: [false] }],
  quoting: ['é', "it's", 'a"b', 'x\ny', '\\', '\'"'],
  half: 0.5,
};

const expr = (source: string, value: unknown): TruthCase => ({ kind: 'expr', source, expect: { value } });
const text = (source: string, output: string): TruthCase => ({ kind: 'text', source, expect: { output } });
const when = (source: string | string[], ran: boolean): TruthCase => ({
  kind: 'when',
  source,
  expect: { ran },
});
const fails = (kind: 'expr' | 'when', source: string): TruthCase => ({
  kind,
  source,
  expect: { error: true },
});

const ifElse = (cond: string) => `{% if ${cond} %}T{% else %}F{% endif %}`;

export const TRUTH_CASES: TruthCase[] = [
  // {% if %}: Python's truth of every kind of value.
  text(ifElse('[]'), 'F'),
  text(ifElse('{}'), 'F'),
  text(ifElse("''"), 'F'),
  text(ifElse('0'), 'F'),
  text(ifElse('0.0'), 'F'),
  text(ifElse('none'), 'F'),
  text(ifElse('false'), 'F'),
  text(ifElse("'false'"), 'T'),
  text(ifElse('space_str'), 'T'),
  text(ifElse('zero_str'), 'T'),
  text(ifElse('[0]'), 'T'),
  text(ifElse('[none]'), 'T'),
  text(ifElse("{'a': none}"), 'T'),
  text(ifElse('empty_list'), 'F'),
  text(ifElse('empty_dict'), 'F'),
  text(ifElse('zero_float'), 'F'),
  text(ifElse('nested.x'), 'F'),
  text(ifElse('nested'), 'T'),
  text('{% if [] %}a{% elif {} %}b{% elif [none] %}c{% else %}d{% endif %}', 'c'),
  text(ifElse('not empty_dict'), 'T'),
  text(ifElse('empty_list or empty_dict'), 'F'),
  // for ... else, and what a one-name loop iterates.
  text('{% for x in empty_dict %}{{ x }}{% else %}E{% endfor %}', 'E'),
  text('{% for x in empty_list %}{{ x }}{% else %}E{% endfor %}', 'E'),
  text('{% for x in empty_str %}{{ x }}{% else %}E{% endfor %}', 'E'),
  text('{% for k in mapping %}{{ k }};{% else %}E{% endfor %}', 'a;b;'),
  text("{% for c in 'ab' %}{{ c }}.{% endfor %}", 'a.b.'),
  text('{% for k, v in mapping.items() %}{{ k }}={{ v }};{% endfor %}', 'a=1;b=2;'),
  // Inline if.
  text("{{ 'y' if empty_list else 'n' }}", 'n'),
  text("x{{ 'a' if false }}y", 'xy'),
  text("{% set v = [] or 'd' %}{{ v }}", 'd'),
  expr("'y' if {} else 'n'", 'n'),
  expr("'y' if 'false' else 'n'", 'y'),
  // and / or return the operand that decided; not is Python's.
  expr("[] or 'a'", 'a'),
  expr("'b' and []", []),
  expr('{} or []', []),
  expr('0 or none', null),
  expr('none or 0', 0),
  expr("'' or 0.0 or 'x'", 'x'),
  expr("1 and 'x'", 'x'),
  expr('empty_dict and 1', {}),
  expr('mapping or 1', { a: 1, b: 2 }),
  expr('not []', true),
  expr("not 'false'", false),
  expr('not none', true),
  expr('not not {}', false),
  // == and ordering, by value, chained.
  expr('[1, 2] == [1, 2]', true),
  expr('[1, [2]] == [1, [2]]', true),
  expr("{'a': 1, 'b': 2} == mapping", true),
  expr("{'a': 1} == {'a': 1.0}", true),
  expr('[1] != [1]', false),
  expr('1 == 1.0', true),
  expr('1 == true', true),
  expr('0 == false', true),
  expr("1 == '1'", false),
  expr("'' == 0", false),
  expr('none == false', false),
  expr('[] == false', false),
  expr('[] == {}', false),
  expr('[1, 2] < [1, 3]', true),
  expr('[1] < [1, 0]', true),
  expr('1 < 2 < 3', true),
  expr('1 < 3 > 2', true),
  expr('2 < 1 < 3', false),
  expr('true > 0', true),
  fails('expr', "1 < 'a'"),
  fails('expr', '[1] < 1'),
  fails('expr', 'none < 1'),
  // in: dict keys, substrings, list items by value.
  expr("'a' in mapping", true),
  expr("'toString' in mapping", false),
  expr("'ell' in 'hello'", true),
  expr("'' in 'abc'", true),
  expr('[1] in [[1], [2]]', true),
  expr("{'a': 1} in [mapping, {'a': 1}]", true),
  expr("'x' not in empty_dict", true),
  expr('1 in mapping', false),
  fails('expr', "1 in 'abc'"),
  // length of dicts and strings.
  expr('mapping | length', 2),
  expr('empty_dict | length', 0),
  expr("'abc' | length", 3),
  // Filters that decide by truth or equality.
  expr("[0, 1, '', 'a', [], {}, none, [0]] | select | list", [1, 'a', [0]]),
  expr("[0, 1, '', [], {}, [0]] | reject | list", [0, '', [], {}]),
  expr("[[1], [2]] | select('equalto', [1]) | list", [[1]]),
  expr('mapping | select | list', ['a', 'b']),
  expr("items | selectattr('n') | list", [{ name: 'b', on: false, n: 1 }]),
  expr("items | rejectattr('n') | list", [
    { name: 'a', on: true, n: 0 },
    { name: 'c', n: [] },
  ]),
  expr("items | selectattr('name', 'equalto', 'b') | list", [{ name: 'b', on: false, n: 1 }]),
  expr("items | selectattr('on', 'defined') | list | length", 2),
  // Ansible's undefined is strict: a missing attribute only passes a presence test.
  fails('expr', "items | selectattr('on') | list"),
  fails('expr', "items | selectattr('on', 'equalto', true) | list"),
  expr("items | rejectattr('n', 'equalto', []) | list | length", 2),
  expr("[] | default('x', true)", 'x'),
  expr("{} | d('x', true)", 'x'),
  expr('0 | default(5, true)', 5),
  expr("'' | default('e')", ''),
  expr("none | default('n')", null),
  expr("missing_var | default('m')", 'm'),
  expr("none | default('x', true)", 'x'),
  expr("false | default('x', boolean=true)", 'x'),
  expr("[] | ternary('y', 'n')", 'n'),
  expr("'false' | ternary('y', 'n')", 'y'),
  expr("none | ternary('y', 'n', 'z')", 'z'),
  expr("none | ternary('y', 'n')", 'n'),
  expr('none | bool', null),
  expr("'Yes' | bool", true),
  expr("' yes' | bool", false),
  expr("'y' | bool", false),
  expr('1 | bool', true),
  expr('2 | bool', false),
  expr("'1' | bool", true),
  expr('[] | bool', false),
  expr("'' | bool", false),
  expr('empty_dict is truthy', false),
  expr("'false' is truthy", true),
  expr("'false' is truthy(convert_bool=true)", false),
  expr("'false' is truthy(convert_bool=false)", true),
  expr("'no' is falsy(true)", true),
  expr("' Off ' is falsy(convert_bool=true)", true),
  expr('[0] is falsy', false),
  // when: a bare expression is `{% if %}`; braces render first and the text is the expression.
  when('empty_list', false),
  when('empty_dict', false),
  when('false_str', true),
  when('no_str', true),
  when('empty_str', false),
  when('zero_str', true),
  when('zero_float', false),
  when('none_value', false),
  when('nested.x', false),
  when("'false'", true),
  when('false', false),
  when('not empty_dict', true),
  when('[1] == [1]', true),
  when('mapping.a == 1 and empty_list', false),
  when('none_value is none', true),
  when('{{ false_str }}', false),
  when('{{ zero_str }}', false),
  when('{{ empty_list }}', false),
  when('{{ mapping }}', true),
  when('{{ flags.f }}', false),
  when('{{ none_value }}', false),
  when('{{ flags.t }} and {{ zero }}', false),
  when(['flags.t', 'mapping'], true),
  when(['flags.t', 'empty_list'], false),
  fails('when', '{{ yes_str }}'),
  // Values written inside text are Python's str() of them; None writes nothing (Ansible's finalize).
  text('x{{ true }}', 'xTrue'),
  text('x{{ false }}', 'xFalse'),
  text('{{ flags.t }}/{{ flags.f }}', 'True/False'),
  text('x{{ none }}y', 'xy'),
  text('x{{ none_value }}', 'x'),
  text('{% set v = none %}[{{ v }}]', '[]'),
  text('x{{ [1, 2] }}', 'x[1, 2]'),
  text("x{{ ['a', 'b'] }}", "x['a', 'b']"),
  text('x{{ empty_list }}{{ empty_dict }}', 'x[]{}'),
  text('x{{ mapping }}', "x{'a': 1, 'b': 2}"),
  text('x{{ nested }}', "x{'x': []}"),
  text('x{{ flags }}', "x{'t': True, 'f': False}"),
  text('x{{ items[0] }}', "x{'name': 'a', 'on': True, 'n': 0}"),
  text('x{{ mixed }}', "x[1, 'a', None, True, 2.5, {'k': [False]}]"),
  text('x{{ quoting }}', `x['é', "it's", 'a"b', 'x\\ny', '\\\\', '\\'"']`),
  text('x{{ [none, [none]] }}', 'x[None, [None]]'),
  text("x{{ {'a': none, 'b': [true]} }}", "x{'a': None, 'b': [True]}"),
  text('{% for v in mixed %}{{ v }};{% endfor %}', "1;a;;True;2.5;{'k': [False]};"),
  text('{{ 1 == 1 }} {{ [1] == [2] }}', 'True False'),
  text("{{ 'a' in mapping }}", 'True'),
  text('{{ not empty_list }}', 'True'),
  text('{{ mapping.a }}{{ true and 1 }}{{ empty_str }}{{ zero }}', '110'),
  text('{{ 1 < 2 < 3 }}', 'True'),
  text('{{ empty_list or false }}', 'False'),
  // Numbers: integers as written, floats as Python's repr.
  text('x{{ half }}', 'x0.5'),
  text('x{{ 7 / 2 }}', 'x3.5'),
  text('x{{ 7 // 2 }}', 'x3'),
  text('x{{ 0.1 + 0.2 }}', 'x0.30000000000000004'),
  text('x{{ 0.00001 }}', 'x1e-05'),
  text('x{{ [1.5, -0.25] }}', 'x[1.5, -0.25]'),
  text('x{{ 10 ** 15 }}', 'x1000000000000000'),
  text('x{{ -3 }}', 'x-3'),
  // ~, string and join make text with Python's str() too; to_json is JSON.
  text("{{ 'a' ~ true ~ none ~ [1] }}", 'aTrueNone[1]'),
  text("{{ 'n=' ~ 2.5 }}", 'n=2.5'),
  text('{{ [1, 2] | string }}', '[1, 2]'),
  text('{{ none | string }}', 'None'),
  text('{{ flags.t | string }}', 'True'),
  text("{{ mixed | join(',') }}", "1,a,None,True,2.5,{'k': [False]}"),
  text('{{ [true, 1] | join }}', 'True1'),
  text("{{ mapping | join('+') }}", 'a+b'),
  text("{{ items | join('/', attribute='name') }}", 'a/b/c'),
  text("{{ items | join(d=' ', attribute='n') }}", '0 1 []'),
  text('{{ [1, 2] | to_json }}', '[1, 2]'),
  text('{{ [1, 2] | length }}', '2'),
  text('{{ [0, 1, [], [0]] | select | list }}', '[1, [0]]'),
  text("{{ items | selectattr('n') | list }}", "[{'name': 'b', 'on': False, 'n': 1}]"),
  text("{{ 'y' if empty_dict else none }}|", '|'),
  // Python's % formats strings (a tuple gives several values); (a, b) is a tuple.
  text("{{ '%s' % mixed }}", "[1, 'a', None, True, 2.5, {'k': [False]}]"),
  text("{{ '%s-%s' % ('a', 2) }}", 'a-2'),
  text("{{ '%05d|%-4s|%.2f|%r|%%' % (42, 'ab', 3.14159, 'x') }}", "00042|ab  |3.14|'x'|%"),
  text("{{ '%(a)s!' % mapping }}", '1!'),
  text("{{ '%s' % true }} {{ '%d%%' % 50 }} {{ '%i' % 2.7 }}", 'True 50% 2'),
  text('{{ -7 % 3 }} {{ 7 % 3 }}', '2 1'),
  text('{{ (1, 2) }}', '(1, 2)'),
  text("{{ ('a', [none]) }}", "('a', [None])"),
  expr('(1, 2)', [1, 2]),
  { kind: 'text', source: "{{ '%d' % 'x' }}", expect: { error: true } },
  { kind: 'text', source: "{{ '%s %s' % ('a',) }}", expect: { error: true } },
  // Arithmetic is Python's: sequences concatenate and repeat, mixed types and zero divisors fail.
  expr("'ab' * 2", 'abab'),
  expr("3 * 'x'", 'xxx'),
  expr("'a' * -1", ''),
  expr('[1] + [2, [3]]', [1, 2, [3]]),
  expr('[0] * 2', [0, 0]),
  expr('7 // 2', 3),
  expr('-7 // 2', -4),
  expr('-7 % 2', 1),
  expr('2 ** 10', 1024),
  expr('true + true', 2),
  fails('expr', "'a' + 1"),
  fails('expr', "1 + 'a'"),
  fails('expr', "[1] + 'a'"),
  fails('expr', "'a' - 'b'"),
  fails('expr', "'a' * 1.5"),
  fails('expr', "-'a'"),
  fails('expr', '1 / 0'),
  fails('expr', '1 // 0'),
  fails('expr', '1.5 // 0'),
  fails('expr', '5 % 0'),
  // int and float read text as Python's int() and float() do, else give their default.
  expr("'x' | int", 0),
  expr("'x' | int(5)", 5),
  expr("'x' | int(default=6)", 6),
  expr("'1_000' | int", 1000),
  expr("'007' | int", 7),
  expr("' -3 ' | int", -3),
  expr("'12' | int(base=8)", 10),
  expr("'0b101' | int(base=2)", 5),
  expr("'ff' | int(base=16)", 255),
  expr("'2.9e1' | int", 29),
  expr('none | int', 0),
  expr('[1] | int', 0),
  expr('-2.7 | int', -2),
  expr("'3.5' | float", 3.5),
  expr("'1_0.5' | float", 10.5),
  expr("' .5 ' | float", 0.5),
  expr("'abc' | float(1.5)", 1.5),
  expr('none | float', 0),
  expr('2.5 | round(0, "ceil")', 3),
  expr('-2.5 | round', -2),
  expr('[1, 2, 3] | sum(start=10)', 16),
  fails('expr', "items | sum(attribute='n', start=[])"),
  // to_json and to_nice_json are json.dumps: ASCII, Python's separators, to_nice_json's keys sorted.
  text("{{ {'é': [1.0, none, true]} | to_json }}", '{"\\u00e9": [1.0, null, true]}'),
  text('{{ [1, [2]] | to_json(indent=2) }}', '[\n  1,\n  [\n    2\n  ]\n]'),
  text("{{ {'b': 1, 'a': 2} | to_json(sort_keys=true) }}", '{"a": 2, "b": 1}'),
  text(
    "{{ {'b': 1, 'a': {'d': 2.5, 'c': 'ü'} } | to_nice_json }}",
    '{\n    "a": {\n        "c": "\\u00fc",\n        "d": 2.5\n    },\n    "b": 1\n}',
  ),
  text('{{ [] | to_nice_json }}{{ {} | to_nice_json }}{{ [{}] | to_nice_json(2) }}', '[]{}[\n  {}\n]'),
  // map: a filter by name over each item, or an attribute of each.
  expr("items | map(attribute='name') | list", ['a', 'b', 'c']),
  expr("items | map(attribute='on', default=false) | list", [true, false, false]),
  fails('expr', "items | map(attribute='on') | list"),
  expr("['1', ' 2', 'x'] | map('int') | list", [1, 2, 0]),
  expr("['on', 'off', 'yes'] | map('bool') | list", [true, false, true]),
  expr("[[1, 2], [3]] | map('length') | list", [2, 1]),
  expr("mapping | map('upper') | list", ['A', 'B']),
  expr("['ax', 'bx'] | map('regex_replace', 'x', 'y') | list", ['ay', 'by']),
  expr("[0, 1.5, none] | map('default', 'd', true) | list", ['d', 1.5, 'd']),
  text("{{ [1.0, 2] | map('string') | join(',') }}", '1.0,2'),
  // Whole-number floats computed in a template stay floats.
  text(
    '{{ 4 / 2 }} {{ 1.0 }} {{ -0.0 }} {{ 2 * 1.0 }} {{ 2 | float }} {{ 2.0 | int }}',
    '2.0 1.0 -0.0 2.0 2.0 2',
  ),
  text(
    "{{ [4 / 2] }} {{ {'a': 3 // 1.0} }} {{ '%s' % (6 / 3) }} {{ 'n' ~ 2.0 }}",
    "[2.0] {'a': 3.0} 2.0 n2.0",
  ),
  // Signed zeros: a zero float quotient or remainder takes CPython's sign; ints have no -0.
  text(
    '{{ 0 // -3.0 }} {{ -0.0 // 1 }} {{ 0.0 // -2 }} {{ -0.0 // -2 }} {{ 0.0 % -3 }} {{ -1e-320 // 1e10 }}',
    '-0.0 -0.0 -0.0 0.0 -0.0 -1.0',
  ),
  text(
    '{{ 0 // -3 }} {{ 0 % -3 }} {{ 0 * -1 }} {{ -0 }} {{ -0.4 | round }} {{ -0.0 | abs }}',
    '0 0 0 0 -0.0 0.0',
  ),
  // safe, escape/e and forceescape are markupsafe's (autoescape off): str() of the value, escaped once.
  text(
    `{{ '<a>' | e }} {{ 'q"' | escape }} {{ 'a&b' | e }} {{ '<a>' | safe }} {{ none | e }} {{ 5 | e }}`,
    '&lt;a&gt; q&#34; a&amp;b <a> None 5',
  ),
  text(
    "{{ [1, '<'] | e }} {{ '&lt;' | safe | e }} {{ '&lt;' | safe | forceescape }} {{ ('<' | e) ~ '<' }}",
    '[1, &#39;&lt;&#39;] &lt; &amp;lt; &lt;<',
  ),
  // bool: only yes/on/1/true (any case) are true.
  expr("'on' | bool", true),
  expr("'ON' | bool", true),
  expr("'off' | bool", false),
  expr("'True' | bool", true),
  expr("'yes ' | bool", false),
  expr('1.0 | bool', true),
  // when: a number's truth decides.
  when('zero + 1', true),
  when('zero * 2', false),
  when('4 / 2', true),
  when('half - 0.5', false),
  // A when: list is evaluated in order and stops at the first false condition.
  when(['flags.t', 'false', 'undefined_thing > 1'], false),
  when(['empty_list', 'missing.attr'], false),
  when(['empty_list', "1 < 'a'"], false),
  { kind: 'when', source: ['flags.t', 'missing_var'], expect: { error: true } },
  when(['{{ [] }}', 'flags.t'], false),
  when(['{{ [1] }}', 'mapping'], true),
  when(['{{ mapping }}', '{{ empty_dict }}'], false),
  when(['mapping.a == 1', '{{ flags.t }}', 'not empty_list'], true),
  when(['{{ none_value }}', 'missing_var'], false),
  when(['{{ zero_str }}', 'missing_var'], false),
];

/** What apim-provision's engine gives for a case. */
export function ourOutcome(c: TruthCase): TruthOutcome {
  try {
    switch (c.kind) {
      case 'expr':
        // Compared as JSON, as Ansible's side is read through to_json.
        return {
          value: JSON.parse(JSON.stringify(evaluateExpression(c.source, TRUTH_VARS))) as unknown,
        };
      case 'text':
        return { output: String(renderString(c.source, TRUTH_VARS)) };
      case 'when':
        return { ran: evaluateWhen(c.source, TRUTH_VARS) };
    }
  } catch (err) {
    if (err instanceof TemplateError) return { error: true };
    throw err;
  }
}
