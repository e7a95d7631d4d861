import { describe, expect, it } from 'vitest';
import { isFloatAt, UnsafeText, VaultedText } from '../../../src/domain/tagged-values.js';
import { parseYamlText } from '../../../src/input/yaml-source.js';
import { resolvePlain } from '../../../src/input/yaml-typing.js';

const load = (text: string) => parseYamlText('f.yml', text);
const data = (text: string) => load(text).source?.data as Record<string, unknown>;

describe("YAML typing of Ansible's loader (PyYAML, YAML 1.1)", () => {
  it.each([
    ['yes', true],
    ['Off', false],
    ['ON', true],
    ['y', 'y'],
    ['010', 8],
    ['0o10', '0o10'],
    ['0x1F', 31],
    ['0b101', 5],
    ['1_000', 1000],
    ['12:30', 750],
    ['190:20:30', 685230],
    ['09', '09'],
    ['1.5', 1.5],
    ['1e3', '1e3'],
    ['1.0e+3', 1000],
    ['.inf', Infinity],
    ['-.inf', -Infinity],
    ['~', null],
    ['null', null],
    ['', null],
    ['2024-01-02', '2024-01-02'],
    ['2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43.100000-05:00'],
    ['hello', 'hello'],
  ])('reads the plain scalar %j as %j', (text, value) => {
    expect(data(`v: ${text}\n`).v).toEqual(value);
  });

  it('keeps quoted scalars as strings', () => {
    expect(data('a: "yes"\nb: \'010\'\n')).toEqual({ a: 'yes', b: '010' });
  });

  it('remembers floats, so 1.0 prints as Ansible prints it', () => {
    const d = data('f: 1.0\ni: 1\nl: [2.0, 3]\n');
    expect(isFloatAt(d, 'f')).toBe(true);
    expect(isFloatAt(d, 'i')).toBe(false);
    expect(isFloatAt(d.l as object, 0)).toBe(true);
    expect(resolvePlain('1.').kind).toBe('float');
  });

  it('reads JSON with JSON typing (1e3 is a number there)', () => {
    expect(data('{"a": 1e3, "b": "yes", "c": 010}')).toEqual({ a: '1e3', b: 'yes', c: 8 });
    expect(data('{"a": 1e3, "b": "yes"}')).toEqual({ a: 1000, b: 'yes' });
  });

  it('flattens merge keys: explicit keys win, the first of a merge list wins', () => {
    const d = data('a: &a {k: 1, j: 1}\nb: &b {k: 2, z: 2}\nc:\n  <<: [*a, *b]\n  j: 3\n');
    expect(d.c).toEqual({ k: 1, z: 2, j: 3 });
  });

  it('tags !unsafe and !vault values', () => {
    const d = data('u: !unsafe "{{ x }}"\nv: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3031\n');
    expect(d.u).toEqual(new UnsafeText('{{ x }}'));
    expect(d.v).toBeInstanceOf(VaultedText);
    expect((d.v as VaultedText).ciphertext).toBe('$ANSIBLE_VAULT;1.1;AES256\n3031\n');
  });

  it('refuses unknown tags, as Ansible does', () => {
    expect(load('a: !foo x\n').diagnostics[0]).toMatchObject({ line: 1, severity: 'error' });
  });

  it('keeps the later of two equal keys, with a warning', () => {
    const r = load('a: 1\na: 2\n');
    expect(r.source?.data).toEqual({ a: 2 });
    expect(r.diagnostics[0]).toMatchObject({ line: 2, severity: 'warning' });
  });

  it('keeps __proto__ as a plain key', () => {
    const d = data('__proto__: {polluted: true}\n');
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
    expect(Object.keys(d)).toEqual(['__proto__']);
  });

  it('bounds alias expansion (billion laughs): an error with the position, no exception', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const r = load(levels.join('\n') + '\n');
    expect(r.source).toBeUndefined();
    expect(r.diagnostics[0]!.message).toMatch(/aliases expand to too much data/);
    expect(r.diagnostics[0]!.line).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports an undefined alias with its position', () => {
    const r = load('a: 1\nb: *nope\n');
    expect(r.source).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ line: 2, severity: 'error' });
    expect(r.diagnostics[0]!.message).toMatch(/refers to an anchor &nope that is not defined before it/);
  });

  it('refuses a bare "=" as Ansible\'s loader does', () => {
    expect(load('a: =\n').diagnostics[0]!.message).toMatch(/bare "="/);
  });
});
