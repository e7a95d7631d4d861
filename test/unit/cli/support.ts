/** Shared by the in-process CLI tests: captured output, and a listener that proves no contact. */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
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

/**
 * Writes `inventory.yml` into `dir`: load balancers on loopback addresses (nothing else is ever
 * contacted), one API-M node that is only rendered, and `vars` on top of what validates.
 */
export function localInventory(
  dir: string,
  loadBalancers: Record<string, { address: string; port: number }>,
  vars: Record<string, string | number | boolean> = {},
): string {
  const file = join(dir, 'inventory.yml');
  const allVars = {
    ansible_user: 'deploy',
    apim_pattern: 'single-node',
    apim_upstream_tls_verify: false,
    ...vars,
  };
  writeFileSync(
    file,
    [
      'all:',
      '  vars:',
      ...Object.entries(allVars).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
      '  children:',
      '    loadbalancers:',
      '      hosts:',
      ...Object.entries(loadBalancers).map(
        ([name, lb]) => `        ${name}: { ansible_host: ${lb.address}, ansible_port: ${lb.port} }`,
      ),
      '    apim_all_in_one:',
      '      hosts:',
      '        apim1: { apim_address: 192.0.2.10 }',
      '',
    ].join('\n'),
  );
  return file;
}
