/**
 * Values as Ansible writes them into files: `copy: content:` given text, numbers, booleans, lists
 * and mappings, and templates over YAML floats (`2.0` stays `2.0`), numbers and the number
 * filters, plus `when:` given a YAML number. Each case is one copy task and records the bytes
 * ansible-core 2.14 writes (null: the task was skipped); ansible-values.test.ts (conformance)
 * checks every record against the real ansible-playbook and apim-provision's engine, and
 * test/unit/engine/copy-content.test.ts checks the engine against the records without Ansible.
 */

import { FakeHost } from '../unit/engine/support/fake-host.js';
import {
  inventoryYaml,
  loadTestInventory,
  playbookFrom,
  runOnHost,
} from '../unit/engine/support/engine-fixtures.js';

/** The play's variables (YAML, the same text for both engines). */
export const VALUE_VARS = `    f: 2.0
    i: 2
    half: 0.5
    lst: [1, 2.0, "é", {a: 1.5, b: [true, null]}]
    d: {k: 2.0, s: "x", "ü": 1}
    v_t: "{{ 4 / 2 }}"
    v_j: "{{ d | to_nice_json }}"
    v_l: "{{ d | to_json | lower }}"
`;

/** Inventory variables (group `all`): Ansible reads them from its inventory, apim-provision from its own. */
export const INVENTORY_VARS = `    inv_f: 3.0
    inv_l: [1.0, 2]
    inv_t: "{{ 4 / 2 }}"
    inv_tl: "{{ [1, 2.5] }}"
    inv_d: {a: 1, b: [2.0]}
    inv_j: "{{ inv_d | to_json }}"
    inv_jn: "{{ inv_d | to_nice_json }}"
    inv_jl: "{{ [1, 2] | to_json }}"
    inv_jj: "{{ inv_j }}"
    inv_jg: "{{ (inv_d | to_json) }}"
    inv_jt: "{{ inv_d | to_json | trim }}"
`;

/**
 * Arithmetic and number filters over ints, floats and exponent literals, drawn from a fixed seed
 * (a property test against the oracle, in one task): the result's value and Python's str() of it.
 */
export function numberExpressions(count: number, seed = 7): string[] {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor(state / 65536) % n; // the high bits: an LCG's low bits repeat soon
  };
  const pick = <T>(items: readonly T[]): T => items[next(items.length)]!;
  const numbers = [
    '3',
    '-7',
    '2.5',
    '0.1',
    '1e3',
    '1.5e-3',
    '-2.0',
    '12',
    '0.5',
    '1_000',
    '7.25',
    'i',
    'f',
    'half',
  ];
  const ops = ['+', '-', '*', '/', '//', '%'];
  const wrap = [
    (e: string) => e,
    (e: string) => `(${e}) | abs`,
    (e: string) => `(${e}) | round(2)`,
    (e: string) => `(${e}) | int`,
    (e: string) => `(${e}) | float`,
    (e: string) => `[${e}, ${pick(numbers)}] | max`,
    (e: string) => `[${e}, ${pick(numbers)}, 2] | min`,
    (e: string) => `(${e}) ** 2`,
  ];
  return Array.from({ length: count }, () => pick(wrap)(`${pick(numbers)} ${pick(ops)} ${pick(numbers)}`));
}

export interface ContentCase {
  /** The YAML of `content:` (on one line). */
  content: string;
  /** The YAML of `when:`, if any. */
  when?: string;
  /** What the file holds afterwards; null when the task was skipped. */
  expect: string | null;
}

const c = (content: string, expect: string | null, when?: string): ContentCase => ({
  content,
  expect,
  ...(when !== undefined ? { when } : {}),
});

export const CONTENT_CASES: ContentCase[] = [
  // Lists and mappings are written as json.dumps writes them: `, ` and `: `, ASCII, keys in order.
  c('"{{ lst }}"', '[1, 2.0, "\\u00e9", {"a": 1.5, "b": [true, null]}]'),
  c('"{{ d }}"', '{"k": 2.0, "s": "x", "\\u00fc": 1}'),
  c('[1, 2.0, "é", {a: 1.5}]', '[1, 2.0, "\\u00e9", {"a": 1.5}]'),
  c('{b: 1, a: [true, null]}', '{"b": 1, "a": [true, null]}'),
  c('[]', '[]'),
  // Other values as Python's str().
  c('2.0', '2.0'),
  c('true', 'True'),
  c('5', '5'),
  c('"{{ f }}"', '2.0'),
  c('"{{ 4 / 2 }}"', '2.0'),
  c('"{{ inv_f }}"', '3.0'),
  c('"{{ i == 2 }}"', 'True'),
  // Floats in text keep their .0, wherever they come from.
  c('"x{{ f }} {{ inv_f }} {{ inv_l }} {{ lst[1] }} {{ d.k }} {{ half }}"', 'x2.0 3.0 [1.0, 2] 2.0 2.0 0.5'),
  c('"{% for x in lst %}{{ x }};{% endfor %}"', "1;2.0;é;{'a': 1.5, 'b': [True, None]};"),
  c('"{{ {\'a\': f} }} {{ [i / 2, f] }} {{ (f, 1) }}"', "{'a': 2.0} [1.0, 2.0] (2.0, 1)"),
  c(
    "\"{{ 'v' ~ f }} {{ '%s|%d|%.1f' % (f, f, i) }} {{ lst | join(',') }}\"",
    "v2.0 2.0|2|2.0 1,2.0,é,{'a': 1.5, 'b': [True, None]}",
  ),
  // Arithmetic: `/` is always a float, a float operand makes a float, ints stay ints.
  c(
    '"{{ f * i }} {{ f + 1 }} {{ -f }} {{ i / i }} {{ 7 // 2 }} {{ 7 // 2.0 }} {{ -7 // 2 }} {{ 2 ** -1 }} {{ 2 ** 3 }} {{ 5 % 2.0 }} {{ i - 2 }} {{ 1.0 }}"',
    '4.0 3.0 -2.0 1.0 3 3.0 -4 0.5 8 1.0 0 1.0',
  ),
  c(
    "\"{{ 'ab' * 2 }} {{ [1] + [2] }} {{ [0] * 3 }} {{ 'a' + 'b' }} {{ 1 + true }}\"",
    'abab [1, 2] [0, 0, 0] ab 2',
  ),
  // Signed zero: a zero quotient, remainder or rounding keeps the sign Python gives it.
  c(
    "\"{{ 0 // -3.0 }} {{ 0.0 // -1 }} {{ -0.0 // -3 }} {{ -0.0 | round }} {{ -0.0 | round(1) }} {{ -0.5 | round(0, 'ceil') }} {{ -0.0 | round(0, 'floor') }} {{ 1 % -1.0 }} {{ -1 % 1.0 }} {{ -0.0 + 0 }} {{ -0.0 | abs }} {{ -(0) }}\"",
    '-0.0 -0.0 0.0 -0.0 -0.0 0.0 0.0 -0.0 0.0 0.0 0.0 0',
  ),
  // %f is Python's: the exact value rounded half to even, -0.0's sign kept, no exponent.
  c(
    "\"{{ '%.0f|%.0f|%.2f|%.1f|%06.1f|%-6.2f|' % (0.5, 2.5, 0.125, -0.0, -0.0, -0.0) }}{{ '%f' % 1e22 }}\"",
    '0|2|0.12|-0.0|-000.0|-0.00 |10000000000000000000000.000000',
  ),
  // The number filters.
  c(
    "\"{{ i | float }} {{ f | int }} {{ f | string }} {{ '3.7' | int }} {{ 'x' | int }} {{ 'x' | float }} {{ '1e3' | float }} {{ true | int }} {{ ' 7 ' | int }} {{ '0x1A' | int(base=16) }} {{ 1.5 | int }}\"",
    '2.0 2 2.0 3 0 0.0 1000.0 1 7 26 1',
  ),
  c(
    "\"{{ f | round }} {{ 2.675 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 7 | round }} {{ 3 | round(0, 'ceil') }} {{ 2.5 | round(0, 'floor') }} {{ -f | abs }} {{ -3 | abs }}\"",
    '2.0 2.67 2.0 4.0 7 3.0 2.0 2.0 3',
  ),
  c('"{{ [1, 2.0] | sum }} {{ [1, 2] | sum }} {{ inv_l | sum }}"', '3.0 3 3.0'),
  // to_json is json.dumps; to_nice_json sorts keys and indents by 4.
  c('"{{ lst | to_json }}"', '[1, 2.0, "\\u00e9", {"a": 1.5, "b": [true, null]}]'),
  c('"{{ d | to_nice_json }}"', '{\n    "k": 2.0,\n    "s": "x",\n    "\\u00fc": 1\n}'),
  c(
    "\"{{ {'b': [1, {}], 'a': []} | to_nice_json(indent=2) }}\"",
    '{\n  "a": [],\n  "b": [\n    1,\n    {}\n  ]\n}',
  ),
  // Jinja2's number literals: exponents are floats, `_` separates digits, 0x/0o/0b ints.
  c(
    '"{{ 1e3 }} {{ 1.5e-3 }} {{ 1E3 }} {{ 1e20 }} {{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 2.5e3 * 2 }} {{ 1e-7 }} {{ 1_0.5e1_0 }}"',
    '1000.0 0.0015 1000.0 1e+20 1000 31 15 5 5000.0 1e-07 105000000000.0',
  ),
  // `}}` ends a tag only outside strings and brackets.
  c(
    "\"{{ 'a}}b' }}|{{ {'a': {'b': 1}} }}|{{ [{'a': [1]}]}}|{{ {'a': 1}}}\"",
    "a}}b|{'a': {'b': 1}}|[{'a': [1]}]|{'a': 1}",
  ),
  c("\"{{ {'a': {'b': 1.5}} }}\"", '{"a": {"b": 1.5}}'),
  // min and max are Python's: the first of equal items, floats stay floats, case ignored.
  c(
    "\"{{ [1.5, 2] | max }} {{ [1, 2.0] | max }} {{ [2.0, 2] | max }} {{ [2, 2.0] | max }} {{ [0.1, 0.2] | min }} {{ inv_l | max }} {{ inv_l | min }} {{ [lst[0], lst[1]] | max }} {{ ['b', 'A', 'a'] | max }} {{ ['b', 'A', 'a'] | min }} {{ ['b', 'A'] | min(case_sensitive=true) }} {{ 'hello' | max }} {{ [{'n': 1}, {'n': 3.0}] | max(attribute='n') }} {{ [1e16, 2] | max }}\"",
    "2 2.0 2.0 2 0.1 2 1.0 2.0 b A A o {'n': 3.0} 1e+16",
  ),
  // A templated value is text unless it reads as a list, dict or bool (2.14's concat).
  c(
    '"{{ inv_t * 2 }} {{ inv_t == 2.0 }} {{ inv_t == \'2.0\' }} {{ inv_tl | max }} {{ inv_tl[1] + 1 }} {{ v_t * 2 }}"',
    '2.02.0 False True 2.5 3.5 2.02.0',
  ),
  c('"{{ v_t }}"', '2.0'),
  // Inventory values made by to_json/to_nice_json stay JSON text (NativeJinjaText), through a
  // variable and parentheses too; another filter after them makes plain text, which is re-read.
  c(
    '"{{ inv_j.a | default(\'U\') }} {{ inv_jl[0] }} {{ inv_jj[0] }} {{ inv_jg[0] }} {{ inv_jn[0] }} {{ inv_jt.a }} {{ inv_jt.b }}"',
    'U [ { { { 1 [2.0]',
  ),
  c('"{{ inv_j }}"', '{"a": 1, "b": [2.0]}'),
  c('"{{ inv_jn }}"', '{\n    "a": 1,\n    "b": [\n        2.0\n    ]\n}'),
  c('"{{ v_j }}"', '{\n    "k": 2.0,\n    "s": "x",\n    "\\u00fc": 1\n}'),
  c('"{{ v_l }}"', '{"k": 2.0, "s": "x", "\\u00fc": 1}'),
  c('"[{{ i }}, {{ f }}]"', '[2, 2.0]'),
  c('"{{ \'[1, 2.5]\' }}"', '[1, 2.5]'),
  c(
    `"${numberExpressions(80)
      .map((e) => `{{ ${e} }}`)
      .join(' ')}"`,
    '-1333.3333333333333 333.0 0 1.25 16.0 -4 24 0 7.25 6.75 -1 6.25 0.1 0.36 156.25 7.35 0.0015 4.0 0.1 -4.0 994009.0 137.93103448275863 51.1225 998.0 8.41 666666.0 12.1 14.5 0.0 3.625 -2.5 -0.07142857142857142 1.0 -7 0.05 -992.75 3996001.0 100000000.0 -1.0 2.0 2.0 5.0 -2.0 1000.5 1007.25 9.0 2.0 -2.9985 1007 3 19 1000.0 400.0 1012.0 1000.5 1.0 0.5 1.5 1 4e-06 0 0.16000000000000003 -1.0 14.0 0 5.25 4 0.0015 500.0 0.002 10000.0 6.0 0.00011025000000000001 12 0.00075 2 2.5 2 -1.5 1.5',
  ),
  c('ran', null, 'inv_t == 2.0'),
  c('ran', 'ran', 'inv_t | float == 2.0'),
  c('ran', 'ran', '"inv_t == \'2.0\'"'),
  // when: a YAML number is a condition, a number's truth decides.
  c('ran', null, '0'),
  c('ran', 'ran', '1'),
  c('ran', null, '"i - 2"'),
  c('ran', 'ran', '"i * 2"'),
  c('ran', 'ran', '"4 / 2"'),
  c('ran', null, '"f - 2"'),
  c('ran', null, '"0.0"'),
];

/** The tasks, one copy per case into `{{ out_dir }}/case_<i>`, as YAML lines of a play's task list. */
export function contentTasks(): string {
  return CONTENT_CASES.map(
    (k, i) =>
      `    - name: case_${i}\n      copy:\n        dest: "{{ out_dir }}/case_${i}"\n        content: ${k.content}\n` +
      (k.when !== undefined ? `      when: ${k.when}\n` : ''),
  ).join('');
}

/** What apim-provision's engine writes for every case (null: not written). */
export async function ourContents(): Promise<(string | null)[]> {
  const inventory = loadTestInventory(
    inventoryYaml().replace('all:\n  vars:\n', `all:\n  vars:\n${INVENTORY_VARS}`),
  );
  const playbook = playbookFrom(
    `- name: values\n  hosts: all\n  vars:\n${VALUE_VARS}    out_dir: /out\n  tasks:\n${contentTasks()}`,
  );
  const host = new FakeHost('lb1');
  const run = await runOnHost(host, playbook, {}, inventory);
  const failed = run.tasks.filter((t) => t.status === 'failed');
  if (failed.length > 0) throw new Error(`tasks failed: ${JSON.stringify(failed)}`);
  return CONTENT_CASES.map((_, i) => host.text(`/out/case_${i}`) ?? null);
}
