// Writes the bundle's V8 code cache (dist/bundle/main.cjs.v8cache) after running the bundle through
// what users run most: `validate` of an example, then a first converge, a no-op and a check+diff
// `apply` against simulated load balancers (bench/scale/simulator.ts: ssh2 servers on loopback
// addresses, answering through the engine tests' host model). V8 compiles a function when it is
// first called, so a cache taken after `validate` alone leaves every function of apply (ssh2, the
// facts, the plan, the reporter) to be compiled on every run.
//
//   node --import tsx scripts/warm-code-cache.mjs
//
// Run by scripts/build.mjs, which falls back to a validate-only cache when this fails (no tsx or
// ssh-keygen). Exits non-zero on any run that does not do what it should.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FLEET_CONF_FILE, fleetApplyArgs, writeFleetFiles } from '../bench/scale/fleet-files.ts';
import { SimulatedFleet } from '../bench/scale/simulator.ts';
import { CODE_CACHE, runBundle } from '../bin/load-bundle.js';

const USER = 'vagrant';
const HOSTS = 2;
const work = mkdtempSync(join(tmpdir(), 'apim-warm-cache-'));
try {
  const hostKey = join(work, 'host_ed25519');
  const userKey = join(work, 'id_ed25519');
  for (const key of [hostKey, userKey])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'apim-warm-cache', '-f', key]);
  const fleet = new SimulatedFleet({
    count: HOSTS,
    address: (i) => `127.0.0.${i + 1}`,
    port: 0,
    hostKey: readFileSync(hostKey, 'utf8'),
    authorizedKey: readFileSync(`${userKey}.pub`, 'utf8'),
    user: USER,
  });
  const endpoints = await fleet.start();
  try {
    const files = writeFleetFiles(work, endpoints, USER, userKey, readFileSync(`${hostKey}.pub`, 'utf8'));
    const apply = (...extra) => fleetApplyArgs(files, join(work, 'pki'), join(work, 'run.json'), extra);
    const { exports, script } = runBundle(undefined);
    const runs = [
      { argv: ['validate', 'inventories/single-node.yml'] },
      { argv: apply(), changes: true },
      { argv: apply(), changes: false },
      { argv: apply('--check', '--diff'), changes: true, before: () => fleet.edit(FLEET_CONF_FILE) },
    ];
    const writes = [process.stdout.write, process.stderr.write];
    for (const run of runs) {
      run.before?.();
      process.stdout.write = process.stderr.write = () => true;
      const code = await exports.main(run.argv).finally(() => {
        [process.stdout.write, process.stderr.write] = writes;
      });
      // A converge and a check+diff change (or would change) every host, a no-op nothing.
      const changed =
        run.changes === undefined
          ? undefined
          : JSON.parse(readFileSync(join(work, 'run.json'), 'utf8')).totals.changed;
      if (code !== 0 || (run.changes !== undefined && (run.changes ? changed < HOSTS : changed !== 0)))
        throw new Error(`warm-code-cache: ${run.argv.join(' ')} exited ${code}, changed ${changed}`);
    }
    if (fleet.stats().unexpected.length > 0)
      throw new Error(`warm-code-cache: the simulation could not map ${fleet.stats().unexpected[0]}`);
    writeFileSync(CODE_CACHE, script.createCachedData());
  } finally {
    await fleet.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
