import { describe, expect, it } from 'vitest';
import { markFloat, markTuple, UnsafeText, VaultedText } from '../../../src/domain/tagged-values.js';
import { literalEval } from '../../../src/input/python-literal.js';
import { pyFloatRepr, pyRepr, pyStr, pyStrRepr } from '../../../src/domain/python-repr.js';
import { pyJsonDumps } from '../../../src/report/python-format.js';

describe('Python output, as ansible-inventory prints it', () => {
  it.each([
    [1, '1.0'],
    [1.5, '1.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [123.456, '123.456'],
    [-0, '-0.0'],
    [Infinity, 'inf'],
  ])('repr(float %d) is %s', (n, text) => {
    expect(pyFloatRepr(n)).toBe(text);
  });

  it("dumps JSON with 4 spaces, sorted keys, floats and Ansible's tagged values", () => {
    const value: Record<string, unknown> = {
      b: 1,
      a: [1.0, 'x'],
      u: new UnsafeText('{{ x }}'),
      v: new VaultedText('$ANSIBLE_VAULT;1.1;AES256\n00\n'),
      n: null,
      e: [],
    };
    markFloat(value.a as unknown[], 0);
    expect(pyJsonDumps(value)).toBe(
      '{\n    "a": [\n        1.0,\n        "x"\n    ],\n    "b": 1,\n    "e": [],\n    "n": null,\n    "u": {\n        "__ansible_unsafe": "{{ x }}"\n    },\n    "v": {\n        "__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\\n00\\n"\n    }\n}',
    );
    expect(pyJsonDumps(Infinity)).toBe('Infinity');
  });

  it('prints str() and repr() as Python does, vault values masked', () => {
    expect(pyStr('plain')).toBe('plain');
    expect(pyStr(true)).toBe('True');
    expect(pyStr(null)).toBe('None');
    expect(pyStr({ a: [1, 'b'], c: { d: false } })).toBe("{'a': [1, 'b'], 'c': {'d': False}}");
    expect(pyStr(new VaultedText('x'))).toBe('********');
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr('a\nb\\')).toBe("'a\\nb\\\\'");
    const t = [1, 2];
    markTuple(t);
    expect(pyRepr(t)).toBe('(1, 2)');
  });
});

describe("Python's literal_eval, as Ansible applies it to INI values", () => {
  it.each([
    ['2222', { t: 'int', v: 2222 }],
    ['010', undefined],
    ['0o17', { t: 'int', v: 15 }],
    ['1_000', { t: 'int', v: 1000 }],
    ['1.5e3', { t: 'float', v: 1500 }],
    ['-5', { t: 'int', v: -5 }],
    ['True', { t: 'bool', v: true }],
    ['true', undefined],
    ['None', { t: 'none' }],
    ['"quoted"', { t: 'str', v: 'quoted' }],
    ['\'a\' "b"', { t: 'str', v: 'ab' }],
    ['r"\\n"', { t: 'str', v: '\\n' }],
    ['"\\x41\\u00e9"', { t: 'str', v: 'Aé' }],
    ['yes', undefined],
    ['1+2j', undefined],
    ['{1, 2}', undefined],
    ['f"x"', undefined],
  ])('%s', (text, value) => {
    expect(literalEval(text)).toEqual(value);
  });

  it('reads lists, tuples and dicts', () => {
    expect(literalEval("[1, 'two', 3.0]")).toEqual({
      t: 'list',
      v: [
        { t: 'int', v: 1 },
        { t: 'str', v: 'two' },
        { t: 'float', v: 3 },
      ],
    });
    expect(literalEval('(1,)')).toEqual({ t: 'list', v: [{ t: 'int', v: 1 }], tuple: true });
    expect(literalEval("{'a': [True]}")).toEqual({
      t: 'dict',
      v: [
        [
          { t: 'str', v: 'a' },
          { t: 'list', v: [{ t: 'bool', v: true }] },
        ],
      ],
    });
  });
});
