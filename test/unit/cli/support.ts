/** Shared by the in-process CLI tests: captured output, and a listener that proves no contact. */
import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, vi } from 'vitest';

/** Captures process.stdout/stderr for every test of the file; read them through the getters. */
export function captureOutput(): { stdout(): string; stderr(): string; reset(): void } {
  let stdout = '';
  let stderr = '';
  beforeEach(() => {
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    reset: () => {
      stdout = '';
      stderr = '';
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
