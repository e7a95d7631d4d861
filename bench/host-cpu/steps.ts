// What each remote step of a run costs the host, measured on one bench host:
//
//   npx tsx bench/host-cpu/steps.ts <dir> <key> <rounds> <out.tsv>
//
// <dir> is a bench size folder (bench/run.sh writes hosts, known_hosts and inventory.yml there);
// the first host is used. It is converged by apim-provision first (the built CLI's `apply`,
// `--limit` to it, the bench's PKI folder beside the key), so its state folder holds the records
// and the nginx -V record a real no-op finds: the bench's other contenders leave the host without
// them (Ansible's runs remove the state folder), and the facts program then runs nginx -V and reads
// the certificate and key back, which no real no-op does. Each step runs `rounds` times; per run:
// the CPU the host's container used (cgroup, bench/lib/containers-cpu.sh) and the processes it
// started (execve calls of the container's sshd and everything it forks, counted by strace on
// this machine in one more run).
// Steps, piece by piece: the SSH connection alone (log-in), a no-op's round trips on a fresh one,
// the program `true` plainly (a channel, the login shell, sh -s) and through sudo, the no-op's
// facts program only parsed (its text without the apim_main call) and run, the processes it runs
// one by one (the stat and the sha256sum of its files), and the floor's commands (sha256sum of the
// three files, nginx -V, nginx -t) for comparison; then, with the conf.d file edited on the host
// as bench/run.sh's scenario 3 does (the edit taken back after), a check+diff's round trips on a
// fresh connection, its facts program, the read of the differing file as the facts do it, and the
// floor's `sudo cat` of the three files; last, a check+diff after an inventory change (the host's
// file is the one the tool recorded, the plan expects other bytes: the queries' expected sha256
// changed).
// Rows: step, runs, host_cpu_ms, execs.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { gatherAnswers, gatherFacts } from '../../src/engine/gather-facts.js';
import { REMOTE_STATE_DIR } from '../../src/engine/run-options.js';
import { apimQueries } from '../../src/modules/apim-paths.js';
import { factsScript, type FactQuery } from '../../src/remote/index.js';
import { connect } from '../../src/transport/connect.js';
import type { HostConnection } from '../../src/transport/types.js';

import { editConf, firstBenchHost, hostCpuS, syscallsDuring } from './bench-host.js';

const [dir, keyFile, roundsText, out] = process.argv.slice(2);
if (!dir || !keyFile || !roundsText || !out) {
  process.stderr.write('usage: steps.ts <bench size folder> <key> <rounds> <out.tsv>\n');
  process.exit(5);
}
const rounds = Number(roundsText);
const root = join(import.meta.dirname, '..', '..');

const host = firstBenchHost(dir, keyFile);
const { name, container, lb, conf, certificate, key } = host;
const queries = apimQueries(lb, { diff: false });
const diffQueries = apimQueries(lb, { diff: true });
const statedPaths = queries.flatMap((q) => (q.kind === 'file' ? [q.path] : []));
/** After an inventory change: the host's files are the recorded ones, the plan expects other bytes. */
const changedQueries = diffQueries.map((q): FactQuery =>
  q.kind === 'diff' ? { ...q, expected: '0'.repeat(64) } : q,
);
/** The no-op's facts program without its apim_main call: what the shell parses before running any of it. */
const noopProgram = factsScript({ queries, stateDir: REMOTE_STATE_DIR, probeSysvServices: true });
const parsedOnly = noopProgram.replace(/\napim_main\n\}\n$/, '\n}\n');
if (parsedOnly === noopProgram) throw new Error('the facts program does not end with its apim_main call');

const open = (become = true) => connect({ name, connection: { ...host.spec, become } }, host.options);

async function ok(conn: HostConnection, program: string, become: boolean): Promise<void> {
  const r = await conn.run(program, { become });
  if (r.code !== 0) throw new Error(`${program} exited ${r.code}: ${r.stderr}`);
}

/** Reads the host's file a check+diff finds differing, as the facts do: opened before their one stat (which states it), base64. */
const diffRead = `exec 8<${conf} && base64 <&8`;

/** A check+diff's round trips on a fresh connection: the facts, the old content when they did not bring it. */
async function checkDiff(diffQs: FactQuery[]): Promise<void> {
  const conn = await open(true);
  try {
    const facts = await gatherFacts(conn, diffQs, true, false);
    // The diff's read-back, as HostSession.ask does it: only when the facts did not bring it.
    if (!(conf in facts.contents)) await gatherAnswers(conn, [{ kind: 'content', path: conf }], true, false);
    if (!facts.files[conf]) throw new Error(`${conf} was not stated`);
  } finally {
    await conn.close();
  }
}

/** One step: `once` runs it on the shared connection (the first step opens its own). */
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
    step: `no-op facts program parsed only, through sudo (${parsedOnly.length} bytes, without apim_main)`,
    once: (c) => ok(c, parsedOnly, true),
  },
  {
    step: `no-op facts program (first round trip of apply, ${noopProgram.length} bytes)`,
    once: async (c) => void (await gatherFacts(c, queries, true, true)),
  },
  {
    step: "the facts' one stat: sudo stat of the stated paths and nginx",
    once: (c) =>
      ok(c, `stat -c '%f %a %U %G %u %g %s %d %i %Y %Z' -- ${statedPaths.join(' ')} /usr/sbin/nginx`, true),
  },
  {
    step: "floor no-op, and the facts' one sha256sum: sudo sha256sum of the 3 files",
    once: (c) => ok(c, `sha256sum -- ${conf} ${certificate} ${key}`, true),
  },
  { step: 'nginx -V', once: (c) => ok(c, '/usr/sbin/nginx -V', false) },
  { step: 'sudo nginx -t', once: (c) => ok(c, 'nginx -t -q', true) },
  {
    step: "a check+diff's round trips on a fresh become connection, the conf.d file edited: connect, facts, its old content, close",
    edited: true,
    once: () => checkDiff(diffQueries),
  },
  {
    step: 'check+diff facts program, the conf.d file edited',
    edited: true,
    once: async (c) => {
      const facts = await gatherFacts(c, diffQueries, true, false);
      if (!(conf in facts.contents)) throw new Error(`the facts did not read the edited ${conf}`);
    },
  },
  {
    step: 'the read of the differing file, as the facts do it: sudo, base64 of the open file',
    edited: true,
    once: (c) => ok(c, diffRead, true),
  },
  {
    step: 'floor check+diff: sudo cat of the 3 files',
    edited: true,
    once: (c) => ok(c, `cat -- ${conf} ${certificate} ${key}`, true),
  },
  {
    step: "a check+diff's round trips after an inventory change (the host's file the recorded one, other bytes expected): connect, facts, its old content, close",
    once: () => checkDiff(changedQueries),
  },
];

/** apim-provision's converge of the host, so that it is in the state a real no-op finds. */
function converge(): void {
  const cli = join(root, 'bin', 'apim-provision.js');
  const pki = join(dirname(keyFile!), 'pki'); // bench/run.sh's, so the host's certificate stays
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'apply',
      join(dir!, 'inventory.yml'),
      '--limit',
      name,
      '--known-hosts',
      join(dir!, 'known_hosts'),
      '--pki-dir',
      pki,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`apim-provision apply exited ${r.status}: ${r.stdout}${r.stderr}`);
  const state = ['records', 'nginx-v'].map((f) => `${REMOTE_STATE_DIR}/${f}`);
  const check = spawnSync('docker', ['exec', container, 'test', '-f', state[0]!, '-a', '-f', state[1]!]);
  if (check.status !== 0) throw new Error(`converged, yet ${state.join(' or ')} is missing on ${container}`);
}

converge();
const rows = ['step\truns\thost_cpu_ms\texecs'];
const shared = await open();
try {
  // A real no-op's facts: the certificate and key answered by their records, not read back.
  const noop = await gatherFacts(shared, queries, true, true);
  if (!(certificate in noop.recordedContent) || !(key in noop.recordedContent))
    throw new Error('the converged host does not answer the certificate and key from their records');
  for (const { step, edited, once } of steps) {
    const run = () => once(shared);
    if (edited) editConf(host, true);
    try {
      await run(); // warm-up (page cache, sudo's timestamp files)
      const cpu0 = hostCpuS(host);
      for (let i = 0; i < rounds; i++) await run();
      const cpuMs = ((hostCpuS(host) - cpu0) * 1000) / rounds;
      const { execs } = await syscallsDuring(host, `${out}.strace`, run);
      rows.push([step, rounds, cpuMs.toFixed(1), execs].join('\t'));
      process.stderr.write(`bench: host step ${step}: ${cpuMs.toFixed(1)} ms, ${execs} execs\n`);
    } finally {
      if (edited) editConf(host, false);
    }
  }
} finally {
  await shared.close();
}
writeFileSync(out, rows.join('\n') + '\n');
