import { afterEach, beforeEach, vi } from 'vitest';

/** What main() wrote to stdout and stderr in the current test (reset before each test). */
export const output = { stdout: '', stderr: '' };

/** Captures process.stdout/stderr writes for every test of the file that calls this. */
export function captureOutput(): void {
  beforeEach(() => {
    output.stdout = '';
    output.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
}
