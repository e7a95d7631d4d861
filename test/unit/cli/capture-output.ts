import { afterEach, beforeEach, vi } from 'vitest';

export interface CapturedOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** Forgets what was written so far (between two commands of one test). */
  clear(): void;
}

/** What the in-process CLI (`main([...])`) writes to stdout and stderr, fresh for every test. */
export function captureOutput(): CapturedOutput {
  const text = { stdout: '', stderr: '' };
  beforeEach(() => {
    text.stdout = '';
    text.stderr = '';
    for (const stream of ['stdout', 'stderr'] as const) {
      vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
        text[stream] += String(chunk);
        return true;
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return {
    get stdout() {
      return text.stdout;
    },
    get stderr() {
      return text.stderr;
    },
    clear() {
      text.stdout = '';
      text.stderr = '';
    },
  };
}
