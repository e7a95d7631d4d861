// What a load balancer's transaction program costs, on this machine, against a real local nginx
// (no container, no SSH): the processes it starts (execve, strace -f) and the CPU it uses (user +
// sys of the program and its children), for a first converge (conf.d file, certificate, key, TLS
// folder, log folder: what bench/run.sh's scenario 1 writes), for a re-run that finds everything
// in place, with nginx -V as the facts program reports it (the engine hands it over), and for the
// records-only one that adds the certificate's note to a record an earlier version wrote. Run as
// root (the program chowns to root):
//
//   npx tsx bench/host-cpu/transaction-local.ts <rounds> [--list]
//
// Rows: scenario, runs, cpu_ms (mean), execs; --list prints the commands of the last run, counted.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  factsScript,
  parseFacts,
  sha256Hex,
  transactionScript,
  type TransactionSpec,
} from '../../src/remote/index.js';
import {
  NGINX_BINARY,
  freePort,
  nginxSpecFields,
  startLocalNginx,
} from '../../test/integration/support/local-nginx.js';

const rounds = Number(process.argv[2] ?? '5');
const list = process.argv.includes('--list');
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('usage: transaction-local.ts <rounds> [--list]');

const lb = await startLocalNginx();
const sitePort = await freePort();
const tls = join(lb.base, 'ssl', 'apim');
const logs = join(lb.base, 'log', 'apim');
const pem = (label: string) => Buffer.from(`-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`);
let run = 0;
// nginx -V as the facts program saw it, with the binary's identity: what the engine hands over.
const seen = parseFacts(
  spawnSync('sh', ['-s'], {
    input: factsScript({
      queries: [],
      stateDir: lb.stateDir,
      nginxBinary: NGINX_BINARY,
      confPath: lb.confPath,
      probeSysvServices: false,
    }),
    encoding: 'utf8',
  }).stdout,
).nginx?.versionSeen;
if (!seen) throw new Error('the facts program did not report the nginx binary it ran');

function spec(): TransactionSpec {
  run += 1;
  return {
    runId: `bench-${process.pid}-${run}`,
    ...nginxSpecFields(lb),
    files: [
      {
        path: join(lb.prefix, 'conf.d', 'apim.conf'),
        content: Buffer.from(
          lb.siteConfig('apim', sitePort).replace('access_log off;', `access_log ${logs}/access.log;`),
        ),
        mode: '0644',
        owner: 'root',
        group: 'root',
        expected: 'absent',
      },
      {
        path: join(tls, 'lb.crt'),
        content: pem('CERTIFICATE'),
        mode: '0644',
        owner: 'root',
        group: 'root',
        expected: 'absent',
      },
      {
        path: join(tls, 'lb.key'),
        content: pem('PRIVATE KEY'),
        mode: '0600',
        owner: 'root',
        group: 'root',
        expected: 'absent',
      },
    ],
    directories: [
      { path: tls, mode: '0700', owner: 'root', group: 'root' },
      { path: logs, mode: '0755', owner: 'root', group: 'root' },
    ],
    deletes: [],
    records: { managers: ['apim_lb_config', 'apim_tls_certificates'], files: [] },
    reload: true,
    validate: true,
    snapshotsToKeep: 5,
    lockWaitSeconds: 10,
    nginxSeen: seen,
  };
}

/**
 * What gives a record an earlier version wrote without its note that note: nothing staged, no
 * reload, the certificate's record written with (or, to prepare the host, without) the note.
 */
function recordsOnly(note: boolean): TransactionSpec {
  const s = spec();
  const cert = s.files[1]!;
  const manager = 'apim_tls_certificates';
  return {
    ...s,
    files: [],
    directories: [],
    reload: false,
    records: {
      managers: [manager],
      files: [
        {
          manager,
          path: cert.path,
          sha256: sha256Hex(cert.content),
          ...(note ? { note: '{"subject":"CN=lb.example"}' } : {}),
        },
      ],
    },
  };
}

/** The state a first converge finds: none of the files, folders or the tool's state. */
function reset(): void {
  for (const p of [
    join(lb.prefix, 'conf.d', 'apim.conf'),
    join(lb.base, 'ssl'),
    join(lb.base, 'log'),
    lb.stateDir,
  ])
    rmSync(p, { recursive: true, force: true });
}

/** One run of the program: its CPU (ms) and, when traced, the argv[0] of every execve. */
function once(script: string, trace: boolean): { cpuMs: number; execs: string[] } {
  const file = join(work, 'script.sh');
  writeFileSync(file, script);
  const out = join(work, 'strace');
  const argv = trace
    ? ['strace', '-f', '-qq', '-z', '-e', 'trace=execve', '-e', 'signal=none', '-o', out, 'sh', file]
    : ['sh', file];
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', join(work, 'time'), ...argv], {
    encoding: 'utf8',
  });
  if (!/@@APIM status (committed|unchanged)/.test(r.stdout))
    throw new Error(`transaction failed:\n${r.stdout}\n${r.stderr}`);
  const [user, sys] = readFileSync(join(work, 'time'), 'utf8').trim().split(/\s+/).map(Number);
  const execs = trace
    ? readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l.includes('execve("'))
        .map((l) => /execve\("([^"]*)", \[(.*?)\]/.exec(l)?.[2]?.slice(0, 120) ?? l)
        .slice(1) // sh itself
    : [];
  return { cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, execs };
}

const work = mkdtempSync(join(tmpdir(), 'apim-txn-bench-'));
mkdirSync(work, { recursive: true });
try {
  const rows = ['scenario\truns\tcpu_ms\texecs'];
  // Each: what prepares the host (not measured), then the transaction measured.
  const scenarios = {
    'first converge': { before: reset, spec },
    'unchanged re-run': { before: () => void once(transactionScript(spec()), false), spec },
    'records only (a note added)': {
      before: () => void once(transactionScript(recordsOnly(false)), false),
      spec: () => recordsOnly(true),
    },
  };
  for (const [scenario, { before, spec: measured }] of Object.entries(scenarios)) {
    let cpu = 0;
    let last: string[] = [];
    for (let i = 0; i <= rounds; i++) {
      before();
      const r = once(transactionScript(measured()), i === rounds);
      if (i > 0 && i < rounds) cpu += r.cpuMs; // run 0 warms up, the last one is traced
      if (i === rounds) last = r.execs;
    }
    rows.push([scenario, rounds - 1, (cpu / Math.max(1, rounds - 1)).toFixed(1), last.length].join('\t'));
    if (list) {
      const counts = new Map<string, number>();
      for (const e of last) counts.set(e, (counts.get(e) ?? 0) + 1);
      process.stderr.write(`--- ${scenario}: ${last.length} execve\n`);
      for (const [e, n] of [...counts].sort((a, b) => b[1] - a[1]))
        process.stderr.write(`${String(n).padStart(4)}  ${e}\n`);
    }
  }
  process.stdout.write(rows.join('\n') + '\n');
} finally {
  lb.stop();
  rmSync(work, { recursive: true, force: true });
}
