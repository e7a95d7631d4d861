// The controller's start-up cost, A against B (issue 15): interleaved runs of the built CLI of two or
// more package roots (each with bin/apim-provision.js and dist/bundle/, e.g. a `git archive` of the
// base revision, built, and this tree) for `validate`, a no-op `apply`, `apply --check --diff` and a
// first converge (hosts reset before each) against simulated hosts (bench/scale/sim-process.ts,
// another process: only the controller is measured). Per round the variants run in a rotated order,
// so that machine load shared by the rounds falls on each alike; the figures are medians over the
// rounds of the CPU time (`perf stat`'s task-clock of the process and its threads: /usr/bin/time
// counts in 10 ms steps) and wall time, and for the `apply` scenarios the CPU and wall time from the
// process's start to its first TCP connect (bench/startup/connect-marks.mjs, preloaded): the part
// of start-up that no host's work overlaps.
//
//   npx tsx bench/startup/ab.ts --work DIR --variant base=ROOT --variant new=ROOT
//                               [--hosts 1,10] [--rounds 7] [--cpu-prof DIR]
//
// A no-op that changes something, a check-diff that finds fewer changes than hosts, a failed host
// or a line the simulation could not map stops the test. --cpu-prof profiles every run (node
// --cpu-prof into DIR/<variant>-<scenario>-<N>/; profiled runs cost more: not the figures to quote).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { FLEET_CONF_FILE, fleetApplyArgs, writeFleetFiles, type FleetFiles } from '../scale/fleet-files.js';
import { Simulator, withFdLimit } from '../scale/sim-client.js';

const { values } = parseArgs({
  options: {
    work: { type: 'string' },
    variant: { type: 'string', multiple: true, default: [] },
    hosts: { type: 'string', default: '1,10' },
    rounds: { type: 'string', default: '7' },
    'cpu-prof': { type: 'string' },
  },
});
const variants = values.variant.map((v) => {
  const [name, root] = v.split(/=(.*)/s, 2);
  return { name: name!, root: resolve(root ?? '') };
});
if (
  !values.work ||
  variants.length === 0 ||
  variants.some((v) => !v.name || !v.root) ||
  !/^\d+(,\d+)*$/.test(values.hosts) ||
  !/^[1-9]\d*$/.test(values.rounds)
) {
  process.stderr.write(
    'usage: ab.ts --work DIR --variant NAME=ROOT [--variant NAME=ROOT...] [--hosts 1,10] [--rounds 7] [--cpu-prof DIR]\n',
  );
  process.exit(5);
}
const work = resolve(values.work);
const rounds = Number(values.rounds);
const root = join(import.meta.dirname, '..', '..');
const say = (text: string): boolean => process.stderr.write(`startup: ${text}\n`);
// Any free port, each host its own: another scale or start-up run may be using the loopback addresses.
const PORT = 0;
const USER = 'vagrant';

mkdirSync(work, { recursive: true });
const files = { hostKey: join(work, 'host_ed25519'), userKey: join(work, 'id_ed25519') };
for (const key of [files.hostKey, files.userKey]) {
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'apim-startup', '-f', key]);
}

type Scenario = 'validate' | 'converge' | 'noop' | 'check-diff';
interface Sample {
  cpuMs: number;
  wallMs: number;
  /** From the process's start to its first TCP connect (not for `validate`). */
  toConnect?: { cpuMs: number; wallMs: number };
}
const samples = new Map<string, Sample[]>();

/** One run of `variant`'s CLI; returns its CPU and wall time after checking what it did. */
function run(
  variant: { name: string; root: string },
  scenario: Scenario,
  size: number,
  fleet: FleetFiles,
): Sample {
  const dir = join(work, `n${size}`);
  const statFile = join(dir, 'run.perf');
  const json = join(dir, 'run.json');
  const marksFile = join(dir, 'run.marks');
  rmSync(marksFile, { force: true });
  const marks = scenario === 'validate' ? [] : ['--import', join(import.meta.dirname, 'connect-marks.mjs')];
  const args =
    scenario === 'validate'
      ? ['validate', fleet.inventory]
      : fleetApplyArgs(fleet, join(work, 'pki'), json, [
          '--forks',
          String(size),
          ...(scenario === 'check-diff' ? ['--check', '--diff'] : []),
        ]);
  const prof = values['cpu-prof']
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        join(resolve(values['cpu-prof']), `${variant.name}-${scenario}-${size}`),
      ]
    : [];
  const started = process.hrtime.bigint();
  const result = spawnSync(
    'bash',
    withFdLimit(size, [
      'perf',
      'stat',
      '-x,',
      '-e',
      'task-clock',
      '-o',
      statFile,
      process.execPath,
      ...marks,
      ...prof,
      join(variant.root, 'bin', 'apim-provision.js'),
      ...args,
    ]),
    { cwd: variant.root, maxBuffer: 1 << 30, env: { ...process.env, APIM_STARTUP_MARKS: marksFile } },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const log = Buffer.concat([result.stdout, result.stderr]).toString();
  if (result.status !== 0)
    throw new Error(`${variant.name} ${scenario} at N=${size} exited ${result.status}:\n${log}`);
  if (scenario !== 'validate') {
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      totals: { changed: number };
      hosts: { status: string }[];
    };
    const bad = report.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable');
    const changed = report.totals.changed;
    if (bad.length > 0 || (scenario === 'noop' ? changed !== 0 : changed < size))
      throw new Error(
        `${variant.name} ${scenario} at N=${size}: changed=${changed}, failed=${bad.length}\n${log}`,
      );
  }
  // `perf stat -x,` writes `<msec>,msec,task-clock,...`.
  const line = readFileSync(statFile, 'utf8')
    .split('\n')
    .find((l) => l.includes(',task-clock,'));
  const cpuMs = Number(line?.split(',')[0]);
  if (!Number.isFinite(cpuMs)) throw new Error(`no task-clock in ${statFile}`);
  if (scenario === 'validate') return { cpuMs, wallMs };
  const { connect } = JSON.parse(readFileSync(marksFile, 'utf8')) as {
    connect?: { cpuMs: number; wallMs: number };
  };
  if (!connect) throw new Error(`${variant.name} ${scenario} at N=${size}: no TCP connect was marked`);
  return { cpuMs, wallMs, toConnect: connect };
}

/** `rounds` rounds of `scenario`, every variant once per round, the order rotated each round. */
async function interleaved(
  scenario: Scenario,
  size: number,
  fleet: FleetFiles,
  before?: () => Promise<unknown>,
): Promise<void> {
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(r + i) % variants.length]!;
      const key = `${scenario}\t${size}\t${variant.name}`;
      await before?.();
      samples.set(key, [...(samples.get(key) ?? []), run(variant, scenario, size, fleet)]);
    }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

for (const size of values.hosts.split(',').map(Number)) {
  const dir = join(work, `n${size}`);
  mkdirSync(dir, { recursive: true });
  const { sim, endpoints } = await Simulator.start({
    count: size,
    port: PORT,
    user: USER,
    files: { hostKey: files.hostKey, userPub: `${files.userKey}.pub` },
    log: join(dir, 'simulator.log'),
    root,
  });
  try {
    const hostKey = readFileSync(`${files.hostKey}.pub`, 'utf8').trim();
    const fleet = writeFleetFiles(dir, endpoints, USER, files.userKey, hostKey);
    say(`N=${size}: converging the simulated hosts once`);
    run(variants[0]!, 'converge', size, fleet);
    for (const scenario of ['validate', 'noop'] as const) await interleaved(scenario, size, fleet);
    await sim.send(`edit ${FLEET_CONF_FILE}`);
    await interleaved('check-diff', size, fleet);
    // Each first converge on fresh hosts (nginx preinstalled, nothing of ours).
    await interleaved('converge', size, fleet, () => sim.send('reset'));
    const { unexpected } = await sim.stats();
    if (unexpected.length > 0) throw new Error(`the simulation could not map: ${unexpected.join(' | ')}`);
  } finally {
    await sim.stop();
  }
}

const lines = [
  'scenario\thosts\tvariant\truns\tcpu_ms_median\tcpu_ms_min\tcpu_ms_max\twall_ms_median\tcpu_to_connect_median\twall_to_connect_median',
];
for (const [key, list] of samples) {
  const cpu = list.map((s) => s.cpuMs);
  const toConnect = list.flatMap((s) => (s.toConnect ? [s.toConnect] : []));
  const connectMedian = (pick: (m: { cpuMs: number; wallMs: number }) => number): string =>
    toConnect.length > 0 ? median(toConnect.map(pick)).toFixed(0) : '-';
  lines.push(
    [
      key,
      list.length,
      median(cpu).toFixed(0),
      Math.min(...cpu).toFixed(0),
      Math.max(...cpu).toFixed(0),
      median(list.map((s) => s.wallMs)).toFixed(0),
      connectMedian((m) => m.cpuMs),
      connectMedian((m) => m.wallMs),
    ].join('\t'),
  );
}
writeFileSync(join(work, 'ab.tsv'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
