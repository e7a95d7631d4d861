/** ExclusiveKeys: one holder per key at a time (rolling restarts), and a failed holder stops the rest. */
import { describe, expect, it } from 'vitest';
import { ExclusiveKeys } from '../../../src/engine/exclusive-keys.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('ExclusiveKeys', () => {
  it('lets one host at a time hold a key; hosts with other keys go at once', async () => {
    const keys = new ExclusiveKeys();
    const log: string[] = [];
    const work = async (host: string, k: string[], fail = false) => {
      const held = await keys.acquire(k, host);
      if ('failedBy' in held) return log.push(`${host} stopped by ${held.failedBy}`);
      log.push(`${host} in`);
      await tick();
      log.push(`${host} out`);
      held.release(fail);
    };
    await Promise.all([
      work('a', ['apim_publisher']),
      work('b', ['apim_publisher']),
      work('c', ['apim_gateway']),
    ]);
    expect(log.indexOf('b in')).toBeGreaterThan(log.indexOf('a out'));
    expect(log.indexOf('c in')).toBeLessThan(log.indexOf('a out'));
  });

  it('after a failed holder, the next hosts of that key stop (and others of overlapping sets too)', async () => {
    const keys = new ExclusiveKeys();
    const first = await keys.acquire(['apim_publisher'], 'a');
    const second = keys.acquire(['apim_devportal', 'apim_publisher'], 'b');
    if ('failedBy' in first) throw new Error('first must hold');
    first.release(true);
    expect(await second).toEqual({ failedBy: 'a', key: 'apim_publisher' });
    const other = await keys.acquire(['apim_devportal'], 'c');
    expect('release' in other).toBe(true);
  });
});
