// The scale test's simulated hosts (bench/scale) must follow the real protocol: the real CLI runs a
// first converge, a no-op and a check-diff against three of them (ssh2 servers on loopback, in this
// process) and must see exactly what it would see on real hosts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  FLEET_CONF_FILE,
  fleetApplyArgs,
  writeFleetFiles,
  type FleetFiles,
} from '../../../bench/scale/fleet-files.js';
import { SimulatedFleet } from '../../../bench/scale/simulator.js';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { soundKeyPair } from '../../support/ssh-keypair.js';
import { captureOutput } from '../cli/support.js';

const output = captureOutput();
const work = mkdtempSync(join(tmpdir(), 'apim-sim-'));
const hostKey = soundKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519'));
const userKey = soundKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519'));
const fleet = new SimulatedFleet({
  count: 3,
  address: (i) => `127.0.0.${i + 1}`,
  port: 0,
  hostKey: hostKey.private,
  authorizedKey: userKey.public,
  user: 'vagrant',
});
let files: FleetFiles;

beforeAll(async () => {
  const keyFile = join(work, 'id_ed25519');
  writeFileSync(keyFile, userKey.private, { mode: 0o600 });
  files = writeFleetFiles(work, await fleet.start(), 'vagrant', keyFile, hostKey.public);
});
afterAll(async () => {
  await fleet.close();
  rmSync(work, { recursive: true, force: true });
});

async function apply(name: string, ...extra: string[]) {
  const json = join(work, `${name}.json`);
  const code = await main(fleetApplyArgs(files, join(work, 'pki'), json, extra));
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
