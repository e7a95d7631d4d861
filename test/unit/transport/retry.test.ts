import { describe, expect, it } from 'vitest';

import { backoffDelay, RetriesAborted, RetriesExhausted, withRetries } from '../../../src/transport/retry.js';

class Transient extends Error {}

describe('withRetries', () => {
  it('backs off exponentially from the base delay, with jitter of ±25 %', async () => {
    const delays: number[] = [];
    let calls = 0;
    const error = await withRetries(
      async () => {
        calls++;
        throw new Transient('refused');
      },
      {
        retries: 3,
        baseDelayMs: 500,
        isRetryable: (e) => e instanceof Transient,
        sleep: async (ms) => void delays.push(ms),
        random: () => 0.5,
      },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(delays).toEqual([500, 1000, 2000]);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).attempts).toBe(4);
    expect((error as RetriesExhausted).message).toBe('refused');
  });

  it('bounds the jitter', () => {
    expect(backoffDelay(0, 500, () => 0)).toBe(375);
    expect(backoffDelay(0, 500, () => 0.999999)).toBe(625);
    expect(backoffDelay(2, 500, () => 0)).toBe(1500);
  });

  it('does not retry other errors, and returns the first success', async () => {
    const fatal = new Error('auth failed');
    await expect(
      withRetries(() => Promise.reject(fatal), { retries: 5, baseDelayMs: 1, isRetryable: () => false }),
    ).rejects.toBe(fatal);
    let calls = 0;
    const value = await withRetries(
      async () => {
        if (++calls < 2) throw new Transient('once');
        return 'up';
      },
      { retries: 2, baseDelayMs: 1, isRetryable: (e) => e instanceof Transient },
    );
    expect(value).toBe('up');
  });
});

describe('withRetries and Ctrl-C', () => {
  it('stops at once when aborted: no further attempt, the wait cut short', async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const error = await withRetries(
      async () => {
        calls++;
        setTimeout(() => controller.abort(), 10);
        throw new Transient('refused');
      },
      {
        retries: 5,
        baseDelayMs: 10_000,
        isRetryable: (e) => e instanceof Transient,
        signal: controller.signal,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesAborted);
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('starts no attempt once aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const error = await withRetries(async () => void calls++, {
      retries: 2,
      baseDelayMs: 1,
      isRetryable: () => true,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesAborted);
    expect(calls).toBe(0);
  });
});
