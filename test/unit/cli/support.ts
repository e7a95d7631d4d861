/** Shared by the in-process CLI tests: captured output, and a listener that proves no contact. */
import { createServer, type Server } from 'node:net';
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
      vi.spyOn(process[stream], 'write').mockImplementation(
        (chunk: string | Uint8Array, ...rest: unknown[]) => {
          text[stream] += String(chunk);
          // A writer waiting for the flush (the JSON report on stdout) is told at once.
          const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          done?.();
          return true;
        },
      );
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
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

/** A TCP server that only counts who connects to it: proof that nothing was contacted. */
export async function countingServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, connections: () => count };
}
