// What each remote step of a run costs the host, measured on one bench host:
//
//   npx tsx bench/host-cpu/steps.ts <dir> <key> <rounds> <out.tsv>
//
// <dir> is a bench size folder (bench/run.sh writes hosts, known_hosts and inventory.yml there);
// the first host is used, with nginx installed and the scenario's files deployed (the step list is
// what a no-op run does). Each step runs `rounds` times; per run: the CPU the host's container
// used (cgroup, bench/lib/containers-cpu.sh) and the processes it started (execve calls of the
// container's sshd and everything it forks, counted by strace on this machine in one more run).
// Steps: the SSH connection alone (and a no-op's round trips on a fresh one), the program `true` plainly and through sudo, apim-provision's facts program as the
// first round trip of `apply` sends it (its queries for this load balancer), and the floor's
// commands (sha256sum of the three files, nginx -V, nginx -t) for comparison; then, with the conf.d
// file edited on the host as bench/run.sh's scenario 3 does (the edit taken back after), a
// check+diff's round trips on a fresh connection and the floor's `sudo cat` of the three files.
// Rows: step, runs, host_cpu_ms, execs.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ConnectionSpec, Inventory } from '../../src/domain/types.js';
import { gatherAnswers, gatherFacts } from '../../src/engine/gather-facts.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { apimQueries } from '../../src/modules/apim-paths.js';
import { connect } from '../../src/transport/connect.js';
import type { HostConnection } from '../../src/transport/types.js';

const [dir, keyFile, roundsText, out] = process.argv.slice(2);
if (!dir || !keyFile || !roundsText || !out) {
  process.stderr.write('usage: steps.ts <bench size folder> <key> <rounds> <out.tsv>\n');
  process.exit(5);
}
const rounds = Number(roundsText);
const root = join(import.meta.dirname, '..', '..');

const [name, ip, container] = readFileSync(join(dir, 'hosts'), 'utf8').split('\n')[0]!.split(' ');
if (!name || !ip || !container) throw new Error(`no host in ${join(dir, 'hosts')}`);
const { inventory } = loadInventory(join(dir, 'inventory.yml'), { secrets: 'ignore' }) as {
  inventory?: Inventory;
};
const lb = inventory?.loadBalancers.find((l) => l.host.name === name);
if (!lb) throw new Error(`${name} is not a load balancer of ${join(dir, 'inventory.yml')}`);
const queries = apimQueries(lb, { diff: false });
const diffQueries = apimQueries(lb, { diff: true });
const { certificate, key } = lb.deployment.tlsPaths;
const first = queries[0];
if (first?.kind !== 'file') throw new Error('the first query is not the conf.d file');
const conf = first.path;

const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
const containerId = docker('inspect', '-f', '{{.Id}}', container);

/** Every process of the container now (sshd, the open session's, nginx): strace follows their children. */
function containerPids(): string[] {
  for (const file of [
    `/sys/fs/cgroup/cpuacct/docker/${containerId}/cgroup.procs`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/cgroup.procs`,
    `/sys/fs/cgroup/docker/${containerId}/cgroup.procs`,
  ]) {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
    } catch {
      // the next cgroup layout
    }
  }
  throw new Error(`cannot list the processes of container ${container}`);
}

function hostCpuS(): number {
  const r = spawnSync('bash', [join(root, 'bench', 'lib', 'containers-cpu.sh'), containerId], {
    encoding: 'utf8',
  });
  const seconds = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(seconds))
    throw new Error(`cannot read the container's CPU: ${r.stderr}`);
  return seconds;
}

const spec: ConnectionSpec = {
  host: ip,
  port: 22,
  user: 'vagrant',
  privateKeyFile: keyFile,
  become: true,
  becomeUser: 'root',
  jumpHosts: [],
};
const open = (become = true) =>
  connect(
    { name, connection: { ...spec, become } },
    {
      knownHostsFiles: [join(dir, 'known_hosts')],
      acceptNewHostKeys: false,
      agentSocket: '',
      defaultKeyFiles: [],
    },
  );

async function ok(conn: HostConnection, program: string, become: boolean): Promise<void> {
  const r = await conn.run(program, { become });
  if (r.code !== 0) throw new Error(`${program} exited ${r.code}: ${r.stderr}`);
}

/** One step: `once` runs it on the shared connection (the first step opens its own). */
const EDIT_LINE = '# edited on the host by the host CPU bench';
/** `edited`: run with the conf.d file edited on the host (scenario 3), the edit taken back after. */
const steps: Array<{ step: string; edited?: boolean; once: (conn: HostConnection) => Promise<void> }> = [
  { step: 'SSH connection: connect, log in, close', once: async () => (await open(false)).close() },
  {
    step: "a no-op's round trips on a fresh become connection: connect, facts (sudo found by them), close",
    once: async () => {
      const conn = await open(true);
      try {
        await gatherFacts(conn, queries, true, true);
      } finally {
        await conn.close();
      }
    },
  },
  { step: 'run true (a channel, the login shell, sh -s)', once: (c) => ok(c, 'true', false) },
  { step: 'run true through sudo -n', once: (c) => ok(c, 'true', true) },
  {
    step: 'facts program (first round trip of apply)',
    once: async (c) => void (await gatherFacts(c, queries, true, true)),
  },
  {
    step: 'floor no-op: sudo sha256sum of the 3 files',
    once: (c) => ok(c, `sha256sum -- ${conf} ${certificate} ${key}`, true),
  },
  { step: 'nginx -V', once: (c) => ok(c, '/usr/sbin/nginx -V', false) },
  { step: 'sudo nginx -t', once: (c) => ok(c, 'nginx -t -q', true) },
  {
    step: "a check+diff's round trips on a fresh become connection, the conf.d file edited: connect, facts, its old content, close",
    edited: true,
    once: async () => {
      const conn = await open(true);
      try {
        const facts = await gatherFacts(conn, diffQueries, true, false);
        // The diff's read-back, as HostSession.ask does it: only when the facts did not bring it.
        if (!(conf in facts.contents))
          await gatherAnswers(conn, [{ kind: 'content', path: conf }], true, false);
        if (!facts.files[conf] || !(conf in facts.contents)) throw new Error(`${conf} was not read`);
      } finally {
        await conn.close();
      }
    },
  },
  {
    step: 'floor check+diff: sudo cat of the 3 files',
    edited: true,
    once: (c) => ok(c, `cat -- ${conf} ${certificate} ${key}`, true),
  },
];

/** Edits the conf.d file on the host as bench/run.sh does for scenario 3, or takes the edit back. */
function editConf(edited: boolean): void {
  const sed = edited ? `1i ${EDIT_LINE}` : `1{/^${EDIT_LINE}$/d}`;
  const r = spawnSync('docker', ['exec', container!, 'sed', '-i', sed, conf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot edit ${conf} on ${container}: ${r.stderr}`);
}

/** Runs fn once while strace counts the execve calls of the container's processes and their children. */
async function execsDuring(fn: () => Promise<void>): Promise<number> {
  const file = `${out}.strace`;
  const pids = containerPids().flatMap((pid) => ['-p', pid]);
  const strace = spawn('strace', ['-f', '-c', '-e', 'trace=execve', '-o', file, ...pids], {
    stdio: 'ignore',
  });
  await new Promise((resolve) => setTimeout(resolve, 500)); // attached
  await fn();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the session's processes have ended
  strace.kill('SIGINT');
  await new Promise((resolve) => strace.once('exit', resolve));
  const calls = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+execve$/m.exec(readFileSync(file, 'utf8'));
  return calls ? Number(calls[1]) : 0;
}

const rows = ['step\truns\thost_cpu_ms\texecs'];
const shared = await open();
try {
  for (const { step, edited, once } of steps) {
    const run = () => once(shared);
    if (edited) editConf(true);
    try {
      await run(); // warm-up (page cache, sudo's timestamp files)
      const cpu0 = hostCpuS();
      for (let i = 0; i < rounds; i++) await run();
      const cpuMs = ((hostCpuS() - cpu0) * 1000) / rounds;
      const execs = await execsDuring(run);
      rows.push([step, rounds, cpuMs.toFixed(1), execs].join('\t'));
      process.stderr.write(`bench: host step ${step}: ${cpuMs.toFixed(1)} ms, ${execs} execs\n`);
    } finally {
      if (edited) editConf(false);
    }
  }
} finally {
  await shared.close();
}
writeFileSync(out, rows.join('\n') + '\n');
