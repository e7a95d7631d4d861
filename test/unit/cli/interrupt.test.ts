/**
 * Issue 14, Ctrl-C: the first one stops connection retries at once and the run exits 130 with
 * the hosts it never started listed as such (recap and --json); a second one still writes the
 * --json report before leaving. The silent host is a real TCP listener on 127.0.0.1 that never
 * speaks SSH (3 retries x 10 s handshake wait without the interrupt).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { captureOutput, localInventory } from './support.js';

const output = captureOutput();

interface Report {
  interrupted: boolean;
  hosts: { host: string; status: string; error: string | null }[];
}

/** A listener that accepts and never answers; `onConnection` is told of each connection. */
async function silentHost(
  onConnection: () => void,
): Promise<{ server: Server; port: number; close(): void }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    onConnection();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Two load balancers behind the silent port, 3 retries x 10 s each without the interrupt. */
const inventory = (dir: string, port: number): string =>
  localInventory(
    dir,
    { lb1: { address: '127.0.0.1', port }, lb2: { address: '127.0.0.2', port } },
    { ansible_ssh_retries: 3, ansible_ssh_timeout: 10 },
  );

describe('Ctrl-C during apply', () => {
  it('first Ctrl-C: retries stop at once, exit 130, hosts not started say so in recap and JSON', async () => {
    const host = await silentHost(() => setImmediate(() => process.emit('SIGINT')));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'apim-int-'));
      const json = join(dir, 'report.json');
      const started = Date.now();
      const code = await main([
        'apply',
        inventory(dir, host.port),
        '--check',
        '--forks',
        '1',
        '--json',
        json,
        '--known-hosts',
        join(dir, 'kh'),
      ]);
      expect(code, output.stderr + output.stdout).toBe(EXIT.INTERRUPTED);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(output.stderr).toContain('interrupted: finishing the changes in flight');
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      expect(report.interrupted).toBe(true);
      expect(report.hosts.map((h) => h.status)).toEqual(['not_started', 'not_started']);
      expect(report.hosts[0]?.error).toContain('interrupted (Ctrl-C) while connecting');
      expect(report.hosts[1]?.error).toContain(
        'the run was interrupted (Ctrl-C) before this host was reached',
      );
      expect(output.stdout).toMatch(/Interrupted: finished: none; rolled back: none; not started: lb1, lb2/);
      expect(output.stdout).toMatch(/^lb2 .* not started: the run was interrupted/m);
      expect(output.stdout).not.toContain('skipped: [lb');
    } finally {
      host.close();
    }
  });

  it('second Ctrl-C: the --json report is written before the process leaves with 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apim-int-'));
    const json = join(dir, 'report.json');
    let written: Report | undefined;
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => {
      written = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Report) : undefined;
    }) as () => never);
    const host = await silentHost(() =>
      setImmediate(() => {
        process.emit('SIGINT');
        process.emit('SIGINT');
      }),
    );
    try {
      await main([
        'apply',
        inventory(dir, host.port),
        '--check',
        '--json',
        json,
        '--known-hosts',
        join(dir, 'kh'),
      ]);
      await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(EXIT.INTERRUPTED));
      expect(written?.interrupted).toBe(true);
      expect(written?.hosts.map((h) => h.host)).toEqual(['lb1', 'lb2']);
    } finally {
      host.close();
    }
  });
});
