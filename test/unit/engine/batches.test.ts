import { describe, expect, it } from 'vitest';
import { batches, mapWithLimit } from '../../../src/engine/batches.js';

describe('batches', () => {
  it('keeps everything in one batch without serial', () => {
    expect(batches([1, 2, 3], undefined)).toEqual([[1, 2, 3]]);
  });

  it('splits by count and by percentage (rounded down, at least one)', () => {
    expect(batches([1, 2, 3], 1)).toEqual([[1], [2], [3]]);
    expect(batches([1, 2, 3, 4], '50%')).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(batches([1, 2, 3], '10%')).toEqual([[1], [2], [3]]);
  });
});

describe('mapWithLimit', () => {
  it('never runs more than the limit at once and keeps order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithLimit([5, 1, 3, 2, 4], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });
});
