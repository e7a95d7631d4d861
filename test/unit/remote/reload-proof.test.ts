/**
 * The reload proof (apim_reload_confirm, src/remote/sh/nginx.sh) against a stand-in nginx master
 * (nginx-standin.pl: the process tree and titles nginx shows on Linux, no network): it answers
 * only once every old worker has stopped accepting, however late the master tells them to quit
 * and however long one runs after taking its quit title; a cache manager does not hold it up;
 * without titles it keeps the old rule; refusals and stuck workers still fail in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { scriptSource } from '../../../src/remote/index.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { runSh, SHELLS } from './traced-sh.js';

const STANDIN = fileURLToPath(new URL('./nginx-standin.pl', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'apim-reload-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let masters: ChildProcess[] = [];
afterEach(() => {
  for (const m of masters) m.kill('SIGTERM');
  masters = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const title = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '');
  } catch {
    return 'gone';
  }
};
const children = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

interface Options {
  quitDelay?: number;
  busy?: number;
  linger?: number;
  mode?: 'normal' | 'stuck' | 'cache' | 'refuse';
  masterTitle?: string;
  timeout?: number;
}

/** Starts a stand-in master, reloads it with the proof under `shell`, says what was seen. */
async function reload(shell: string, o: Options = {}) {
  const dir = mkdtempSync(join(base, 'run-'));
  const pidFile = join(dir, 'nginx.pid');
  const errorLog = join(dir, 'error.log');
  const stamps = join(dir, 'stamps');
  mkdirSync(stamps);
  writeFileSync(errorLog, '');
  const args = [o.quitDelay ?? 0.1, o.busy ?? 0, o.linger ?? 0, o.mode ?? 'normal'].map(String);
  const master = spawn(
    'perl',
    [STANDIN, pidFile, errorLog, stamps, ...args, o.masterTitle ?? 'nginx: master process stand-in'],
    { stdio: 'ignore' },
  );
  masters.push(master);
  const workers = () => children(master.pid!).filter((p) => title(p) === 'nginx: worker process');
  for (let i = 0; i < 200 && !(existsSync(pidFile) && workers().length === 2); i++) await sleep(10);
  const old = workers();
  expect(old).toHaveLength(2);
  const program = [
    scriptSource('lib'),
    scriptSource('nginx'),
    `PID_FILE=${singleQuote(pidFile)} ERROR_LOG=${singleQuote(errorLog)}`,
    'apim_nginx_before',
    `t0=$(date +%s.%N); apim_reload_confirm ${o.timeout ?? 10}; rc=$?; t1=$(date +%s.%N)`,
    'printf "%s\\n%s\\n%s\\n%s\\n" "$rc" "$t0" "$t1" "$APIM_NGINX_OUT"',
  ].join('\n');
  const r = runSh(program, { shell });
  const [rc, t0, t1, ...out] = r.out.split('\n');
  // When each old worker stopped accepting (absent: not yet, when the proof answered).
  const closed = Object.fromEntries(
    readdirSync(stamps).map((f) => [Number(f), Number(readFileSync(join(stamps, f), 'utf8'))]),
  );
  return {
    rc: Number(rc),
    seconds: Number(t1) - Number(t0),
    at: Number(t1),
    out: out.join('\n').trim(),
    oldClosedBy: (at: number) => old.every((p) => closed[p] !== undefined && closed[p] <= at),
    master: master.pid!,
  };
}

describe.each(SHELLS)('apim_reload_confirm (%s)', (shell) => {
  it('answers only after the old workers stop accepting, though the master tells them 0.5 s late', async () => {
    const r = await reload(shell, { quitDelay: 0.5 });
    expect(r.out).toBe('');
    expect(r.rc).toBe(0);
    // A new worker shows at once: the old rule answered at its first look, 0.2 s, too early.
    expect(r.oldClosedBy(r.at)).toBe(true);
    expect(r.seconds).toBeLessThan(0.5 + 0.3);
  });

  it('does not take the quit title as proof while the worker still runs towards its close', async () => {
    const r = await reload(shell, { busy: 0.3, linger: 2 });
    expect(r.rc).toBe(0);
    expect(r.oldClosedBy(r.at)).toBe(true);
    expect(r.seconds).toBeGreaterThanOrEqual(0.4);
  });

  it('is not held up by a cache manager, which never takes connections', async () => {
    const r = await reload(shell, { mode: 'cache' });
    expect(r.rc).toBe(0);
    expect(r.oldClosedBy(r.at)).toBe(true);
    expect(children(r.master).map(title)).toContain('nginx: cache manager process');
    expect(r.seconds).toBeLessThan(1);
  });

  it('keeps the old rule (a new worker, a look every 0.2 s) where it cannot see the titles', async () => {
    const r = await reload(shell, { quitDelay: 1, masterTitle: 'stand-in without nginx titles' });
    expect(r.rc).toBe(0);
    expect(r.seconds).toBeGreaterThanOrEqual(0.2);
    expect(r.seconds).toBeLessThan(0.6);
    expect(r.oldClosedBy(r.at)).toBe(false);
  });

  it('fails on an [emerg] line as soon as before', async () => {
    const r = await reload(shell, { mode: 'refuse' });
    expect(r.rc).toBe(1);
    expect(r.out).toContain('[emerg] 1#1: unknown directive "bad"');
    expect(r.seconds).toBeLessThan(0.6);
  });

  it('fails at its timeout when old workers never take their quit title', async () => {
    const r = await reload(shell, { mode: 'stuck', timeout: 1 });
    expect(r.rc).toBe(1);
    expect(r.out).toMatch(
      /^old nginx worker processes \( \d+ \d+ \) still accept connections 1 s after the reload$/,
    );
  });

  it('takes the quit title alone as proof at its timeout, for a worker never seen asleep', async () => {
    const r = await reload(shell, { busy: 3, timeout: 1 });
    // The worker runs 3 s after its title: an answer sooner is the deadline's (1 s, counted in
    // whole seconds of uptime, so up to 1 s), not the worker's.
    expect(r.rc).toBe(0);
    expect(r.seconds).toBeLessThan(2.5);
  });
});

describe.each(SHELLS)('apim_quit_nap (%s)', (shell) => {
  it('naps to 0.11 s after the newest new child started, not for an old one or one started long ago', () => {
    const program = [
      scriptSource('lib'),
      scriptSource('nginx'),
      'sleep 5 & p=$!',
      'APIM_WORKERS= APIM_CHILDREN="1 $p"; apim_quit_nap; echo "fresh=$APIM_QUIT_NAP"',
      'APIM_WORKERS="1 $p"; apim_quit_nap; echo "old=$APIM_QUIT_NAP"',
      'sleep 0.15; APIM_WORKERS=1; apim_quit_nap; echo "past=$APIM_QUIT_NAP"',
      'kill "$p"',
    ].join('\n');
    // Just started: 0.02-0.11 s left (0.11 s after the start's 1/100 s tick, less what has passed).
    expect(runSh(program, { shell }).out).toMatch(/^fresh=0\.(0[2-9]|1[01])\nold=\npast=\n$/);
  });
});
