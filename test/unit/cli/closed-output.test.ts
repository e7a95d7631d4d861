// A reader that closes the pipe early: the CLI ends as a POSIX tool killed by SIGPIPE would (exit
// 141, no text), except while it changes hosts, where the run goes on muted and finishes its hosts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { FLEET_CONF_FILE, fleetApplyArgs } from '../../../bench/scale/fleet-files.js';
import { EXIT_CLOSED_PIPE } from '../../../src/cli/closed-output.js';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { useSimulatedFleet } from '../../support/sim-fleet.js';

const root = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'apim-closed-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a closed stdout outside a run', () => {
  it('ends the built CLI quietly with 141, as `yes | head -1` ends yes', async () => {
    const inventory = join(work, 'big.ini');
    const hosts = Array.from(
      { length: 3000 },
      (_, i) => `lb${i} ansible_host=127.0.0.${(i % 250) + 1} v=${'x'.repeat(60)}`,
    );
    writeFileSync(inventory, `[loadbalancers]\n${hosts.join('\n')}\n`);
    const child = spawn(
      process.execPath,
      [join(root, 'bin', 'apim-provision.js'), 'inventory', '-i', inventory, '--list'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    // Read one chunk, then close the pipe, as head -c does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect({ code, stderr }).toEqual({ code: EXIT_CLOSED_PIPE, stderr: '' });
  });
});

describe('a closed stdout during apply', () => {
  const { fleet, files } = useSimulatedFleet(work);

  it('does not end the process: every host is committed, a second run changes nothing', async () => {
    const stdout = process.stdout as unknown as { write: (...args: unknown[]) => boolean };
    const write = stdout.write;
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('process.exit during a run');
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let closedAt = 0;
    // The reader goes away at the run's first line: that write and every later one fails (EPIPE).
    stdout.write = () => {
      closedAt++;
      process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      return false;
    };
    try {
      const json = join(work, 'converge.json');
      const code = await main(fleetApplyArgs(files(), join(work, 'pki'), json));
      expect(closedAt).toBe(1);
      expect(exit).not.toHaveBeenCalled();
      expect(code).toBe(EXIT.OK);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { hosts: { status: string }[] };
      expect(report.hosts.map((h) => h.status)).toEqual(['changed', 'changed', 'changed']);
      expect(fleet.hosts.every((h) => h.host.text(FLEET_CONF_FILE)?.includes('server_name'))).toBe(true);

      const again = join(work, 'noop.json');
      expect(await main(fleetApplyArgs(files(), join(work, 'pki'), again))).toBe(EXIT.OK);
      const noop = JSON.parse(readFileSync(again, 'utf8')) as { totals: { changed: number } };
      expect(noop.totals.changed).toBe(0);
    } finally {
      stdout.write = write;
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
