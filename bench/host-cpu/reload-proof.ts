// The reload proof's cost against a real local nginx (no container, no SSH): the wall time from
// the HUP to apim_reload_confirm's answer and the processes it started, for the nginx.sh and
// lib.sh of two trees, A and B, in interleaved rounds (the machine is shared: alternation spreads
// its noise over both). `--hold` keeps a keepalive connection open on the old worker, so it stays
// "shutting down" instead of exiting at once; `--servers=N` adds N server blocks, so that the
// master takes longer to read the configuration (800: ~60 ms here, about what the lab's hosts take). Each round serves a new page; `stale` counts the
// rounds whose first request after the proof (a new connection) still got the old one. Run as root:
//
//   npx tsx bench/host-cpu/reload-proof.ts <rounds> <tree A> <tree B> [--hold] [--servers=N]
//
// Rows: tree, rounds, wall_ms (median, p90), execs (mean), stale.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { singleQuote } from '../../src/transport/shell-quote.js';
import { NGINX_BINARY, startLocalNginx } from '../../test/integration/support/local-nginx.js';

const [roundsArg, treeA, treeB] = process.argv.slice(2);
const rounds = Number(roundsArg);
const hold = process.argv.includes('--hold');
const servers = Number(
  /^--servers=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--servers=')) ?? '')?.[1] ?? 0,
);
if (!Number.isInteger(rounds) || rounds < 1 || !treeA || !treeB)
  throw new Error('usage: reload-proof.ts <rounds> <tree A> <tree B> [--hold] [--servers=N]');

const lb = await startLocalNginx();
const extra = Array.from(
  { length: servers },
  (_, i) => `server { listen 127.0.0.1:${lb.port}; server_name s${i}.example; return 200 "s"; }\n`,
).join('');
const program = (tree: string) =>
  ['lib', 'nginx'].map((f) => readFileSync(join(tree, 'src/remote/sh', `${f}.sh`), 'utf8')).join('\n') +
  [
    `NGINX=${singleQuote(NGINX_BINARY)} NGINX_P=${singleQuote(`${lb.prefix}/`)}`,
    `CONF=${singleQuote(lb.confPath)} SVC=none PID_FILE= ERROR_LOG= WORK=/tmp`,
    'apim_nginx_paths; apim_nginx_before',
    't0=$(date +%s%N); apim_reload_confirm 10; rc=$?; t1=$(date +%s%N)',
    'echo "$rc $(((t1 - t0) / 1000))" >&2',
  ].join('\n');

/** One keepalive connection to the current workers, kept open until the round ends. */
async function keepalive(): Promise<() => void> {
  const s = connect(lb.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.once('data', () => resolve());
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  return () => s.destroy();
}

const trace = join(lb.base, 'strace');
const results = new Map<string, { wall: number[]; execs: number[]; stale: number }>();
try {
  for (let i = 0; i < rounds; i++) {
    for (const tree of i % 2 ? [treeB, treeA] : [treeA, treeB]) {
      const page = `round ${i} ${tree}`;
      const release = hold ? await keepalive() : () => {};
      writeFileSync(lb.siteConf, lb.siteConfig(page) + extra);
      const r = spawnSync(
        'strace',
        ['-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-o', trace, 'sh', '-s'],
        {
          input: program(tree),
          encoding: 'utf8',
        },
      );
      const served = (await lb.get()).body;
      release();
      const [rc, us] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      if (rc !== 0) throw new Error(`the reload proof failed:\n${r.stderr}`);
      // The shell itself and the two date calls around the measured part are left out.
      const execs =
        readFileSync(trace, 'utf8')
          .split('\n')
          .filter((l) => l.includes('execve("')).length - 3;
      const row = results.get(tree) ?? { wall: [], execs: [], stale: 0 };
      row.wall.push(us! / 1000);
      row.execs.push(execs);
      if (served !== page) row.stale += 1;
      results.set(tree, row);
      // Old workers of this round gone before the next one starts.
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
  const rows = ['tree\trounds\twall_ms_median\twall_ms_p90\texecs_mean\tstale'];
  for (const [tree, { wall, execs, stale }] of results)
    rows.push(
      [
        tree,
        wall.length,
        pct(wall, 0.5).toFixed(1),
        pct(wall, 0.9).toFixed(1),
        (execs.reduce((a, b) => a + b, 0) / execs.length).toFixed(2),
        stale,
      ].join('\t'),
    );
  process.stdout.write(rows.join('\n') + '\n');
} finally {
  lb.stop();
  rmSync(trace, { force: true });
}
