import { describe, expect, it } from 'vitest';
import { plainDataKey } from '../../../src/domain/plain-data.js';

describe('plainDataKey', () => {
  it('is equal only for the same plain data', () => {
    const same = (a: unknown, b: unknown) => plainDataKey(a) === plainDataKey(b);
    expect(same({ a: [1, 'x', null, true] }, { a: [1, 'x', null, true] })).toBe(true);
    expect(same({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(same({ a: undefined }, {})).toBe(false);
    expect(same([undefined], [null])).toBe(false);
    expect(same(0, -0)).toBe(false);
    expect(same('1', 1)).toBe(false);
    expect(same({ a: 'b,c' }, { a: 'b', c: 1 })).toBe(false);
    expect(same([['a'], 'b'], [['a', 'b']])).toBe(false);
  });

  it('refuses what is not plain data, so it is never shared', () => {
    class Box {
      constructor(readonly v: string) {}
    }
    const sparse: number[] = [];
    sparse[2] = 3;
    for (const odd of [
      new Box('x'),
      { a: new Map() },
      sparse,
      {
        get a() {
          return 1;
        },
      },
      { [Symbol('s')]: 1 },
      () => 1,
    ])
      expect(plainDataKey(odd)).toBeUndefined();
    expect(plainDataKey(Object.assign(Object.create(null) as object, { a: 1 }))).toBe(plainDataKey({ a: 1 }));
  });
});
