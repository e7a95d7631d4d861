/**
 * The TTY reporter (listr2) is imported only for a terminal's run (create-reporter.ts): when that
 * import fails, the run stops before any host is contacted with one line that says so, no stack.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput, countingServer, localInventory } from '../cli/support.js';

const output = captureOutput();

/** tty-reporter.js fails to load (vitest reports a throwing factory as its own multi-line error). */
function listr2Missing(): void {
  vi.resetModules();
  vi.doMock('../../../src/report/tty-reporter.js', () => {
    throw new Error("Cannot find package 'listr2'\n    at load (tty-reporter.js:1:1)");
  });
}

afterEach(() => {
  vi.doUnmock('../../../src/report/tty-reporter.js');
  vi.resetModules();
});

describe('a TTY reporter that cannot be loaded', () => {
  it('is a ReporterLoadError naming listr2 and the reason, in one line', async () => {
    listr2Missing();
    const { createReporter, ReporterLoadError, Redactor } = await import('../../../src/report/index.js');
    const stream = process.stdout;
    const made = createReporter({
      mode: 'tty',
      out: stream,
      diff: false,
      verbose: 0,
      color: false,
      redactor: new Redactor(),
    });
    await expect(made).rejects.toBeInstanceOf(ReporterLoadError);
    const message = await made.then(
      () => '',
      (e: unknown) => (e as Error).message,
    );
    expect(message).toMatch(
      /^the terminal progress display \(listr2\) cannot be loaded: \S.*\. Nothing was contacted/,
    );
    expect(message).not.toContain('\n');
  });

  it('stops a terminal apply with that line and exit 1, contacting no host', async () => {
    listr2Missing();
    const { main } = await import('../../../src/cli/main.js');
    const listener = await countingServer();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'apim-reporter-load-'));
      const inventory = localInventory(dir, { lb1: { address: '127.0.0.1', port: listener.port } });
      vi.stubEnv('CI', '');
      const isTTY = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
      Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
      try {
        expect(await main(['apply', inventory, '--known-hosts', join(dir, 'known_hosts')])).toBe(1);
      } finally {
        if (isTTY) Object.defineProperty(process.stdout, 'isTTY', isTTY);
        else delete (process.stdout as { isTTY?: boolean }).isTTY;
      }
      expect(output.stderr).toMatch(
        /^apim-provision: the terminal progress display \(listr2\) cannot be loaded: \S.*\. Nothing was contacted.*\n$/,
      );
      expect(output.stderr).not.toContain('unexpected error');
      expect(output.stderr).not.toMatch(/^\s+at /m);
      expect(listener.connections()).toBe(0);
    } finally {
      listener.server.close();
    }
  });
});
