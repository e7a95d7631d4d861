import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll } from 'vitest';
import { writeFleetFiles, type FleetFiles } from '../../bench/scale/fleet-files.js';
import { SimulatedFleet } from '../../bench/scale/simulator.js';
import { soundKeyPair } from './ssh-keypair.js';

/**
 * Simulated load balancers (bench/scale/simulator.ts: ssh2 servers on 127.0.0.1..N, in this
 * process) for the tests of the describe block calling it, with their inventory and keys in `work`.
 */
export function useSimulatedFleet(
  work: string,
  count = 3,
): { fleet: SimulatedFleet; files: () => FleetFiles } {
  const hostKey = soundKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519'));
  const userKey = soundKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519'));
  const fleet = new SimulatedFleet({
    count,
    address: (i) => `127.0.0.${i + 1}`,
    port: 0,
    hostKey: hostKey.private,
    authorizedKey: userKey.public,
    user: 'vagrant',
  });
  let files: FleetFiles | undefined;
  beforeAll(async () => {
    const keyFile = join(work, 'id_ed25519');
    writeFileSync(keyFile, userKey.private, { mode: 0o600 });
    files = writeFleetFiles(work, await fleet.start(), 'vagrant', keyFile, hostKey.public);
  });
  afterAll(() => fleet.close());
  return {
    fleet,
    files: () => {
      if (!files) throw new Error('the fleet starts in beforeAll: read files() inside a test');
      return files;
    },
  };
}
