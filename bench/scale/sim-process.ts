// The simulated fleet as a process of its own, so that the controller's CPU and memory are measured
// without the servers' (bench/scale/run.ts starts it):
//
//   tsx bench/scale/sim-process.ts COUNT PORT HOST_KEY_FILE AUTHORIZED_KEY_FILE USER
//
// Host i listens on 127.77.<i div 250>.<i mod 250 + 1>:PORT (loopback only). Prints one JSON line
// {"endpoints": [...]} once every host listens, then answers each command line on stdin with one JSON
// line: `reset` (fresh nginx-preinstalled hosts), `edit PATH` (that file edited on every host), `stats`
// (connections, execs, unexpected lines, this process's CPU seconds), `exit`.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { SimulatedFleet } from './simulator.js';

const [countText, portText, hostKeyFile, authorizedKeyFile, user] = process.argv.slice(2);
if (!countText || !portText || !hostKeyFile || !authorizedKeyFile || !user) {
  process.stderr.write('usage: sim-process.ts COUNT PORT HOST_KEY_FILE AUTHORIZED_KEY_FILE USER\n');
  process.exit(5);
}

/** 250 hosts per /24, from 127.77.0.1 (at most 64,000 hosts). */
function simAddress(index: number): string {
  return `127.77.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

const fleet = new SimulatedFleet({
  count: Number(countText),
  address: simAddress,
  port: Number(portText),
  hostKey: readFileSync(hostKeyFile, 'utf8'),
  authorizedKey: readFileSync(authorizedKeyFile, 'utf8'),
  user,
});
const say = (value: unknown): boolean => process.stdout.write(`${JSON.stringify(value)}\n`);
say({ endpoints: await fleet.start() });

for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(/\s+/, 2);
  if (command === 'reset') fleet.reset();
  else if (command === 'edit' && arg) fleet.edit(arg);
  else if (command === 'stats') {
    const cpu = process.cpuUsage();
    say({ ...fleet.stats(), cpuS: (cpu.user + cpu.system) / 1e6 });
    continue;
  } else if (command === 'exit') break;
  else {
    say({ error: `unknown command: ${line}` });
    continue;
  }
  say({ ok: command });
}
await fleet.close();
process.exit(0);
