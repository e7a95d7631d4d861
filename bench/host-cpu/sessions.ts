// What one whole SSH session costs the host, ours against the floor's, piece by piece (issue 15):
//
//   npx tsx bench/host-cpu/sessions.ts <dir> <key> <rounds> <out.tsv> [variant-filter]
//
// <dir> is a bench size folder (bench/run.sh writes hosts, known_hosts and inventory.yml there);
// the first host is used and must be converged by apim-provision already (bench/host-cpu/steps.ts
// does it), so a no-op's facts are a real no-op's. Every variant is one fresh connection: connect,
// log in, the command, close. The variants run interleaved (round 1: A B C ..., round 2: the same
// order again, ...) and each run's figure is the CPU the host's container used during it (cgroup,
// bench/lib/containers-cpu.sh); rows give the median and the quartiles over the rounds, then the
// processes the session started and sshd's system calls (strace -f -c on the container's
// processes, one more run). The variants:
//   - OpenSSH, the floor's no-op / check+diff command line (bench/floor.sh), and `true`;
//   - ssh2 with ours' connection set-up (src/transport/ssh-hop.ts: algorithms, keepalives, host key
//     announcements declined, the auth plan) running the same command lines plainly on one exec
//     channel, no `sh -s`, no program on stdin;
//   - ours: the real no-op / check+diff round trips (connect, facts through sudo, close), and
//     `true` through `sh -s` as every program runs.
// A variant whose name does not contain [variant-filter] is left out. check+diff variants run with
// the conf.d file edited on the host (bench/run.sh's scenario 3), taken back after.
// Rows: variant, runs, host_cpu_ms_median, q1, q3, execs, syscalls.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

import type { Client } from 'ssh2';

import { gatherAnswers, gatherFacts } from '../../src/engine/gather-facts.js';
import { apimQueries } from '../../src/modules/apim-paths.js';
import { buildAuthPlan } from '../../src/transport/auth-plan.js';
import { execOnChannel } from '../../src/transport/channel-exec.js';
import { connect } from '../../src/transport/connect.js';
import { openHop } from '../../src/transport/ssh-hop.js';

import { editConf, firstBenchHost, floorLines, hostCpuS, syscallsDuring } from './bench-host.js';

const [dir, keyFile, roundsText, out, filter = ''] = process.argv.slice(2);
if (!dir || !keyFile || !roundsText || !out) {
  process.stderr.write('usage: sessions.ts <bench size folder> <key> <rounds> <out.tsv> [variant-filter]\n');
  process.exit(5);
}
const rounds = Number(roundsText);

const host = firstBenchHost(dir, keyFile);
const { name, ip, lb, conf, spec, options } = host;
const queries = apimQueries(lb, { diff: false });
const diffQueries = apimQueries(lb, { diff: true });
const { noop: FLOOR_NOOP, checkDiff: FLOOR_CHECK_DIFF } = floorLines(host);
const knownHosts = options.knownHostsFiles[0]!;

/** OpenSSH as bench/floor.sh runs it. */
function openssh(line: string): () => Promise<void> {
  const args = [
    ...['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none'],
    ...['-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null'],
    ...['-o', 'StrictHostKeyChecking=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile!, '-l', 'vagrant'],
    ...['-o', 'KexAlgorithms=curve25519-sha256', '-o', 'HostKeyAlgorithms=ssh-ed25519'],
    ...['-o', 'Ciphers=aes128-gcm@openssh.com', ip, line],
  ];
  return () =>
    new Promise((resolve, reject) => {
      const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`ssh ${line} exited ${code}: ${stderr}`)),
      );
    });
}

/** ssh2 with ours' connection set-up (openHop), `line` on one exec channel, nothing on stdin. */
function ssh2Plain(line: string): () => Promise<void> {
  return async () => {
    const plan = await buildAuthPlan(spec, options);
    const client: Client = await openHop({
      hostName: name,
      hop: { host: ip, port: 22, user: 'vagrant', role: 'target' },
      plan,
      options,
      readyTimeoutMs: 10_000,
    });
    try {
      const r = await execOnChannel(client, line, Buffer.alloc(0), undefined);
      if (r.code !== 0) throw new Error(`${line} exited ${r.code}: ${r.stderr}`);
    } finally {
      await new Promise<void>((resolve) => {
        client.once('close', () => resolve());
        client.end();
      });
    }
  };
}

/** Ours: a fresh connection, `fn` on it, close. */
function ours(fn: (c: Awaited<ReturnType<typeof connect>>) => Promise<void>): () => Promise<void> {
  return async () => {
    const conn = await connect({ name, connection: spec }, options);
    try {
      await fn(conn);
    } finally {
      await conn.close();
    }
  };
}

const variants: Array<{ variant: string; edited?: boolean; once: () => Promise<void> }> = [
  { variant: 'true: OpenSSH', once: openssh('true') },
  { variant: 'true: ssh2, ours set-up, plain exec', once: ssh2Plain('true') },
  {
    variant: 'true: ours (sh -s, program on stdin)',
    once: ours(async (c) => {
      const r = await c.run('true');
      if (r.code !== 0) throw new Error(`true exited ${r.code}`);
    }),
  },
  { variant: 'no-op: OpenSSH, the floor', once: openssh(FLOOR_NOOP) },
  { variant: "no-op: ssh2, ours set-up, the floor's line", once: ssh2Plain(FLOOR_NOOP) },
  {
    variant: 'no-op: ours, connect, facts, close',
    once: ours(async (c) => void (await gatherFacts(c, queries, true, true))),
  },
  { variant: 'check+diff: OpenSSH, the floor', edited: true, once: openssh(FLOOR_CHECK_DIFF) },
  {
    variant: "check+diff: ssh2, ours set-up, the floor's line",
    edited: true,
    once: ssh2Plain(FLOOR_CHECK_DIFF),
  },
  {
    variant: 'check+diff: ours, connect, facts, close',
    edited: true,
    once: ours(async (c) => {
      const facts = await gatherFacts(c, diffQueries, true, false);
      if (!(conf in facts.contents)) await gatherAnswers(c, [{ kind: 'content', path: conf }], true, false);
    }),
  },
].filter((v) => v.variant.includes(filter));

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i));
};

const samples = new Map<string, number[]>(variants.map((v) => [v.variant, []]));
for (const v of variants) {
  // warm-up (page cache, sudo's timestamp files)
  if (v.edited) editConf(host, true);
  try {
    await v.once();
  } finally {
    if (v.edited) editConf(host, false);
  }
}
for (let round = 0; round < rounds; round++) {
  for (const v of variants) {
    if (v.edited) editConf(host, true);
    try {
      const cpu0 = hostCpuS(host);
      await v.once();
      // sshd's last writes and its process's exit land after the client saw the close.
      await new Promise((resolve) => setTimeout(resolve, 50));
      samples.get(v.variant)!.push((hostCpuS(host) - cpu0) * 1000);
    } finally {
      if (v.edited) editConf(host, false);
    }
  }
  process.stderr.write(`bench: round ${round + 1}/${rounds}\n`);
}
const rows = ['variant\truns\thost_cpu_ms_median\tq1\tq3\texecs\tsyscalls'];
for (const v of variants) {
  if (v.edited) editConf(host, true);
  let calls: { execs: number; total: number };
  try {
    calls = await syscallsDuring(host, `${out}.strace.${variants.indexOf(v)}`, v.once);
  } finally {
    if (v.edited) editConf(host, false);
  }
  const xs = samples.get(v.variant)!;
  const row = [v.variant, xs.length, ...[0.5, 0.25, 0.75].map((q) => quantile(xs, q).toFixed(1))];
  rows.push([...row, calls.execs, calls.total].join('\t'));
  process.stderr.write(`bench: ${rows[rows.length - 1]}\n`);
}
writeFileSync(out, rows.join('\n') + '\n');
