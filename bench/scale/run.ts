// The controller's own cost curve: `apim-provision apply` (the built CLI, one process, as users run
// it) against simulated hosts (bench/scale/sim-process.ts, another process), so that only the
// controller is measured. For each size: a first converge (fresh nginx-preinstalled hosts), a no-op
// re-run and a check-diff run (the conf.d file edited on every host), each timed by /usr/bin/time:
//
//   npx tsx bench/scale/run.ts --sizes 1000,5000 --work DIR --out scale.tsv [--forks N] [--no-build]
//                              [--cpu-prof DIR]
//
// --cpu-prof writes a V8 CPU profile of each controller run (node --cpu-prof) into DIR/<N>-<scenario>/
// (profiled runs cost more CPU: their figures are not the benchmark's).
// --forks defaults to the size (every host at once, as bench/run.sh runs both tools), so peak
// memory holds every connection. Rows of scale.tsv: size scenario forks wall_s maxrss_kb user_s
// sys_s sim_cpu_s changed rt_per_host exit. A failed or unreachable host, a change in the no-op,
// fewer changes than hosts in the other two, or a line the simulation could not map stops the test.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { FLEET_CONF_FILE, fleetApplyArgs, writeFleetFiles } from './fleet-files.js';
import { Simulator, withFdLimit } from './sim-client.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000' },
    work: { type: 'string' },
    out: { type: 'string' },
    forks: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
if (!values.work || !values.out || !/^\d+(,\d+)*$/.test(values.sizes)) {
  process.stderr.write(
    'usage: run.ts --sizes 1000,5000 --work DIR --out scale.tsv [--forks N] [--no-build]\n',
  );
  process.exit(5);
}
const work = values.work;
const out = values.out;
const root = join(import.meta.dirname, '..', '..');
const say = (text: string): boolean => process.stderr.write(`scale: ${text}\n`);
// Any free port, each host its own: another scale or start-up run may be using the loopback addresses.
const PORT = 0;
const USER = 'vagrant';

if (!values['no-build']) {
  say('building apim-provision (npm run build)');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is missing: apt-get install time');

mkdirSync(work, { recursive: true });
const files = {
  hostKey: join(work, 'host_ed25519'),
  userKey: join(work, 'id_ed25519'),
  userPub: join(work, 'id_ed25519.pub'),
};
// ssh-keygen, not ssh2's generateKeyPairSync: that now and then writes an ed25519 public key with a
// dropped leading zero byte (31 bytes), which the simulator then refuses, failing the whole run.
for (const key of [files.hostKey, files.userKey]) {
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'apim-scale', '-f', key]);
}
const hostKey = { public: readFileSync(`${files.hostKey}.pub`, 'utf8').trim() };
writeFileSync(
  out,
  'size\tscenario\tforks\twall_s\tmaxrss_kb\tuser_s\tsys_s\tsim_cpu_s\tchanged\trt_per_host\texit\n',
);

interface Report {
  totals: { changed: number };
  hosts: { host: string; status: string; round_trips: number; error?: string }[];
}

async function scenario(
  size: number,
  forks: number,
  name: 'converge' | 'noop' | 'check-diff',
  sim: Simulator,
  fleet: { inventory: string; knownHosts: string },
): Promise<void> {
  if (name === 'converge') await sim.send('reset');
  if (name === 'check-diff') await sim.send(`edit ${FLEET_CONF_FILE}`);
  const dir = join(work, `n${size}`);
  const json = join(dir, `${name}.json`);
  const timeFile = join(dir, `${name}.time`);
  const before = await sim.stats();
  const args = fleetApplyArgs(fleet, join(work, 'pki'), json, [
    '--forks',
    String(forks),
    ...(name === 'check-diff' ? ['--check', '--diff'] : []),
  ]);
  const run = spawnSync(
    'bash',
    withFdLimit(size, [
      '/usr/bin/time',
      '-f',
      '%e %M %U %S',
      '-o',
      timeFile,
      process.execPath,
      ...(values['cpu-prof']
        ? ['--cpu-prof', '--cpu-prof-dir', join(values['cpu-prof'], `${size}-${name}`)]
        : []),
      join(root, 'bin', 'apim-provision.js'),
      ...args,
    ]),
    { cwd: root, maxBuffer: 1 << 30 },
  );
  writeFileSync(join(dir, `${name}.log`), Buffer.concat([run.stdout, run.stderr]));
  const after = await sim.stats();
  if (after.unexpected.length > 0)
    throw new Error(`the simulation could not map: ${after.unexpected.join(' | ')}`);
  const [wall, rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ');
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  const bad = report.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable');
  if (bad.length > 0)
    throw new Error(
      `${name} at N=${size}: ${bad.length} hosts ${bad[0]!.status}, e.g. ${bad[0]!.host}: ${bad[0]!.error}`,
    );
  const changed = report.totals.changed;
  if (name === 'noop' ? changed !== 0 : changed < size)
    throw new Error(`${name} at N=${size}: changed=${changed} (log: ${join(dir, `${name}.log`)})`);
  const rt = report.hosts.reduce((s, h) => s + h.round_trips, 0) / report.hosts.length;
  const row = [
    size,
    name,
    forks,
    wall,
    rss,
    user,
    sys,
    (after.cpuS - before.cpuS).toFixed(2),
    changed,
    rt.toFixed(1),
    run.status,
  ];
  appendFileSync(out, `${row.join('\t')}\n`);
  const cpuMs = ((Number(user) + Number(sys)) * 1000) / size;
  say(
    `N=${size} ${name}: ${wall} s, controller ${cpuMs.toFixed(2)} ms CPU/host, peak ${(Number(rss) / 1024).toFixed(0)} MB`,
  );
}

for (const size of values.sizes.split(',').map(Number)) {
  const forks = values.forks ? Number(values.forks) : size;
  const dir = join(work, `n${size}`);
  mkdirSync(dir, { recursive: true });
  say(`N=${size}: starting ${size} simulated hosts`);
  const { sim, endpoints } = await Simulator.start({
    count: size,
    port: PORT,
    user: USER,
    files,
    log: join(dir, 'simulator.log'),
    root,
  });
  try {
    const fleet = writeFleetFiles(dir, endpoints, USER, files.userKey, hostKey.public);
    for (const name of ['converge', 'noop', 'check-diff'] as const)
      await scenario(size, forks, name, sim, fleet);
  } finally {
    await sim.stop();
  }
}
