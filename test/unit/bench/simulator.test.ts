// The scale test's simulated hosts (bench/scale) must follow the real protocol: the real CLI runs a
// first converge, a no-op and a check-diff against three of them (ssh2 servers on loopback, in this
// process) and must see exactly what it would see on real hosts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { FLEET_CONF_FILE, fleetApplyArgs } from '../../../bench/scale/fleet-files.js';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { useSimulatedFleet } from '../../support/sim-fleet.js';
import { captureOutput } from '../cli/support.js';

const output = captureOutput();
const work = mkdtempSync(join(tmpdir(), 'apim-sim-'));
const { fleet, files } = useSimulatedFleet(work);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function apply(name: string, ...extra: string[]) {
  const json = join(work, `${name}.json`);
  const code = await main(fleetApplyArgs(files(), join(work, 'pki'), json, extra));
  const report = JSON.parse(readFileSync(json, 'utf8')) as {
    totals: { changed: number };
    hosts: { status: string; round_trips: number }[];
  };
  return { code, report };
}

describe('the simulated fleet of the scale test', () => {
  it('converges, then changes nothing, then shows an edit in check mode, as real hosts do', async () => {
    const converge = await apply('converge');
    expect(converge.code, output.stdout + output.stderr).toBe(EXIT.OK);
    expect(converge.report.hosts.map((h) => h.status)).toEqual(['changed', 'changed', 'changed']);
    expect(fleet.hosts.every((h) => h.host.text(FLEET_CONF_FILE)?.includes('server_name'))).toBe(true);

    const noop = await apply('noop');
    expect(noop.report.totals.changed).toBe(0);
    expect(noop.report.hosts.map((h) => h.status)).toEqual(['ok', 'ok', 'ok']);

    fleet.edit(FLEET_CONF_FILE);
    const before = fleet.hosts.map((h) => h.host.fingerprint());
    const check = await apply('check', '--check', '--diff');
    expect(check.report.hosts.map((h) => h.status)).toEqual(['changed', 'changed', 'changed']);
    expect(output.stdout).toContain('-# edited on the host by the scale test');
    expect(fleet.hosts.map((h) => h.host.fingerprint())).toEqual(before);

    const stats = fleet.stats();
    expect(stats.unexpected).toEqual([]);
    expect(stats.connections).toBe(9);
    // Round trips per host: facts and transaction, facts, facts bringing the edited file's old
    // content for the diff; each one exec with its program on stdin, nothing else (no SFTP, no file
    // run and removed).
    const roundTrips = [converge, noop, check].map((r) => r.report.hosts.map((h) => h.round_trips));
    expect(roundTrips).toEqual([
      [2, 2, 2],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(stats.execs).toBe(12);
  });
});
