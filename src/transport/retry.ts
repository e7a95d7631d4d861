export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** Delay before the first retry; doubles each time, with ±25 % jitter so hosts do not retry in step. */
  baseDelayMs: number;
  isRetryable(error: unknown): boolean;
  /** Told before each wait: the failed attempt (1-based) and the wait before the next one. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Ctrl-C: no further attempt and no further wait once aborted. */
  signal?: AbortSignal;
}

/** The run was interrupted while connecting: no attempt left running, none started. */
export class RetriesAborted extends Error {
  constructor(readonly attempts: number) {
    super('interrupted (Ctrl-C) while connecting');
    this.name = 'RetriesAborted';
  }
}

/** The last error of a retried operation and how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
  ) {
    super(lastError instanceof Error ? lastError.message : String(lastError));
    this.name = 'RetriesExhausted';
  }
}

export function backoffDelay(retry: number, baseDelayMs: number, random: () => number): number {
  return Math.round(baseDelayMs * 2 ** retry * (0.75 + random() * 0.5));
}

/** Runs `operation` until it succeeds, fails with a non-retryable error, runs out of retries or is aborted. */
export async function withRetries<T>(operation: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => abortableSleep(ms, policy.signal));
  const random = policy.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    if (policy.signal?.aborted) throw new RetriesAborted(attempt);
    try {
      return await operation();
    } catch (error) {
      if (policy.signal?.aborted) throw new RetriesAborted(attempt + 1);
      if (!policy.isRetryable(error)) throw error;
      if (attempt >= policy.retries) throw new RetriesExhausted(error, attempt + 1);
      const delay = backoffDelay(attempt, policy.baseDelayMs, random);
      policy.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
