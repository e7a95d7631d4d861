/**
 * Issue 5's proof: apim-provision never leaves a load balancer broken. Each test injects one fault
 * into a run against the lab machine lb-faults (single-node pattern, stand-in aio1 behind it), then
 * checks (a) the host serves with its previous or its new configuration, never a broken one (a real
 * HTTPS request through it, SNI api.am.wso2.com answered 200 by aio1, and `nginx -t` on the host),
 * and (b) a following normal apply converges (exit 0) and the next one reports 0 changed.
 *
 * Known-good state v1: the single-node pattern with defaults (HSTS on). v2: apim_hsts false.
 * Faults are injected from outside the tool's SSH connection: `docker exec` into the container,
 * signals and a mount namespace entered from the controller.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Lab } from '../../src/lab/index.js';
import { SecretScanner } from '../support/secret-scanner.js';
import { applyLab, cliOutputs, runCli, type CliRun } from './support/cli.js';
import {
  STATE_DIR,
  closedPort,
  containerInitPid,
  dockerRun,
  dockerSh,
  dropSshSessions,
  exists,
  faultHost,
  fileSha,
  inMountNamespace,
  killTransaction,
  nginxTest,
  requestPortal,
  runLogs,
  setPause,
  startCli,
  waitForPause,
  waitForTransactionEnd,
  writeExtraFilePlaybook,
  type FaultHost,
} from './support/faults.js';
import { getLab } from './support/lab.js';

const LB = 'lb-faults';
const CONF = '/etc/nginx/conf.d/apim.conf';
const BUSY_PORT = 8089;
const WRONG_BECOME_PASSWORD = 'not-the-Become-pw-4711';
/** The recap's totals line of a run that changed nothing and failed nowhere. */
const NOTHING_CHANGED = /host: ok=\d+ changed=0 unreachable=0 failed=0/;

let lab: Lab;
let host: FaultHost;
let tmp: string;
let v1: string;
let v2: string;
let v1Sha: string;

const apply = (inventory: string): Promise<CliRun> => applyLab(inventory, lab.knownHostsFile);
/** apply with a user playbook (positional, before the options: --known-hosts takes several values). */
const applyPlaybook = (inventory: string, playbook: string): Promise<CliRun> =>
  runCli(['apply', inventory, playbook, '--known-hosts', lab.knownHostsFile]);

function inventory(fileName: string, vars: Record<string, unknown> = {}, hostVars = {}): string {
  return lab.inventoryFor('single-node', {
    loadBalancers: [LB],
    vars,
    hostVars: { [LB]: hostVars },
    fileName,
  });
}

/** (a): the load balancer answers through the proxy and its live configuration passes nginx -t. */
async function expectServing(): Promise<{ hsts: boolean }> {
  const served = await requestPortal(host);
  expect(served.status).toBe(200);
  expect(served.node).toBe('aio1');
  const test = await nginxTest(host);
  expect(test.code, test.stdout).toBe(0);
  return { hsts: served.hsts };
}

/** (b): a normal apply of `inv` converges, and the next one changes nothing. */
async function expectConverges(inv: string): Promise<void> {
  const first = await apply(inv);
  expect(first.exitCode, first.all).toBe(0);
  const second = await apply(inv);
  expect(second.exitCode, second.all).toBe(0);
  expect(second.all).toMatch(NOTHING_CHANGED);
}

/** Undoes whatever fault a failed earlier test (or run) may have left, without the tool. */
async function clearFaults(): Promise<void> {
  process.kill(await containerInitPid(host), 'SIGCONT');
  await dockerSh(
    host,
    `umount /etc/nginx/conf.d 2>/dev/null; pkill -f '[h]ttp.server ${BUSY_PORT}'; rm -f /etc/nginx/conf.d/faults-*.conf; true`,
  );
  if ((await dockerSh(host, 'findmnt /etc/nginx/conf.d')).code === 0) {
    await inMountNamespace(host, ['umount', '/etc/nginx/conf.d']);
  }
  await setPause(host, null);
}

/** Back to v1 with the tool itself, unless the previous test already left v1 live. */
async function knownGood(): Promise<void> {
  await clearFaults();
  const atV1 = (await fileSha(host, CONF)) === v1Sha && !(await exists(host, `${STATE_DIR}/pending-reload`));
  if (!atV1) {
    const run = await apply(v1);
    expect(run.exitCode, run.all).toBe(0);
  }
  expect(await fileSha(host, CONF)).toBe(v1Sha);
  expect((await expectServing()).hsts).toBe(true);
}

beforeAll(async () => {
  lab = await getLab();
  host = await faultHost(lab, LB);
  tmp = mkdtempSync(join(tmpdir(), 'apim-faults-'));
  v1 = inventory('faults-v1.yml');
  v2 = inventory('faults-v2.yml', { apim_hsts: false });
  await clearFaults();
  // A fresh host once: nginx, its configuration and the tool's state all gone.
  await dockerRun(
    host,
    "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q 'nginx*' >/dev/null 2>&1; rm -rf /etc/nginx /var/lib/apim-provision /home/*/.apim-provision",
  );
  const first = await apply(v1);
  expect(first.exitCode, first.all).toBe(0);
  v1Sha = await fileSha(host, CONF);
  expect((await expectServing()).hsts).toBe(true);
});

afterAll(async () => {
  if (host) await clearFaults();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('faults injected into runs against lb-faults', () => {
  beforeEach(async () => {
    await knownGood();
  });

  it('1. an invalid generated configuration is refused before anything changes', async () => {
    const bad = '/etc/nginx/conf.d/faults-bogus.conf';
    const playbook = writeExtraFilePlaybook(
      join(tmp, 'invalid'),
      bad,
      'server { listen 8088; bogus_directive on; }',
    );
    const run = await applyPlaybook(v1, playbook);
    expect(run.exitCode, run.all).toBe(2);
    expect(run.all).toContain('unknown directive "bogus_directive"');
    expect(run.all).toContain('nothing was changed on the host');
    expect(await exists(host, bad)).toBe(false);
    expect(await fileSha(host, CONF)).toBe(v1Sha);
    expect((await expectServing()).hsts).toBe(true);
    await expectConverges(v1);
  });

  it('2. a configuration nginx refuses on reload (port taken) is rolled back', async () => {
    await dockerRun(
      host,
      `setsid python3 -m http.server ${BUSY_PORT} --bind 0.0.0.0 >/dev/null 2>&1 </dev/null &
       for i in $(seq 50); do
         python3 -c "import socket; socket.create_connection(('127.0.0.1', ${BUSY_PORT}), 1)" 2>/dev/null && exit 0
         sleep 0.1
       done; exit 1`,
    );
    const extra = '/etc/nginx/conf.d/faults-busy-port.conf';
    const playbook = writeExtraFilePlaybook(
      join(tmp, 'busy'),
      extra,
      `server { listen ${BUSY_PORT}; return 204; }`,
    );
    try {
      const run = await applyPlaybook(v1, playbook);
      expect(run.exitCode, run.all).toBe(2);
      expect(run.all).toContain('nginx did not accept the new configuration on reload');
      expect(run.all).toMatch(/bind\(\) to 0\.0\.0\.0:8089 failed/);
      expect(run.all).toContain('rolled back: [lb-faults] previous configuration restored and serving');
      expect(await exists(host, extra)).toBe(false);
      expect(await fileSha(host, CONF)).toBe(v1Sha);
      expect((await expectServing()).hsts).toBe(true);
    } finally {
      await dockerSh(host, `pkill -f '[h]ttp.server ${BUSY_PORT}'`);
    }
    await expectConverges(v1);
  });

  it('3a. the SSH connection cut while the transaction runs: the host finishes it by itself', async () => {
    await setPause(host, 4);
    const before = await runLogs(host);
    const cli = startCli(['apply', v2, '--known-hosts', lab.knownHostsFile], { hooked: true });
    const paused = await waitForPause(host, before);
    await dropSshSessions(host);
    const run = await cli.done;
    expect([2, 3], run.all).toContain(run.exitCode);
    expect(run.all).toContain('Lost the SSH connection to lb-faults');
    expect(run.all).toContain('the host completes it or rolls it back by itself');
    expect(run.all).not.toContain('rollback failed');
    // The transaction ignores the hang-up: it commits v2 on its own.
    expect(await waitForTransactionEnd(host, paused)).toBe('committed');
    expect((await expectServing()).hsts).toBe(false);
    expect(await exists(host, `${STATE_DIR}/pending-reload`)).toBe(false);
    await setPause(host, null);
    await expectConverges(v2);
  });

  it('3b. a transaction killed mid-way (reload pending): the next run performs the reload', async () => {
    await setPause(host, 60);
    const before = await runLogs(host);
    const cli = startCli(['apply', v2, '--known-hosts', lab.knownHostsFile], { hooked: true });
    const paused = await waitForPause(host, before);
    // The host side dies mid-transaction (after the snapshot and the pending-reload marker) and the
    // connection with it.
    await killTransaction(host, paused);
    await dropSshSessions(host);
    const run = await cli.done;
    expect(run.exitCode, run.all).toBe(2);
    expect(await exists(host, `${STATE_DIR}/pending-reload`)).toBe(true);
    expect(await fileSha(host, CONF)).toBe(v1Sha);
    expect((await expectServing()).hsts).toBe(true);
    await setPause(host, null);

    const heal = await apply(v1);
    expect(heal.exitCode, heal.all).toBe(0);
    expect(heal.all).toContain('a previous run was interrupted before nginx was reloaded');
    expect(heal.all).toMatch(/nginx: reload/);
    expect(await exists(host, `${STATE_DIR}/pending-reload`)).toBe(false);
    expect((await expectServing()).hsts).toBe(true);
    const again = await apply(v1);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.all).toMatch(NOTHING_CHANGED);
  });

  it('4. an unreachable second host is reported (exit 3) and does not stop the reachable one', async () => {
    const path = inventory('faults-unreachable.yml', { apim_hsts: false });
    const doc = parse(readFileSync(path, 'utf8')) as {
      all: { children: { loadbalancers: { hosts: Record<string, Record<string, unknown>> } } };
    };
    const hosts = doc.all.children.loadbalancers.hosts;
    hosts['lb-gone'] = { ...hosts[LB], ansible_port: await closedPort(), ansible_timeout: 2 };
    writeFileSync(path, stringify(doc));

    const run = await apply(path);
    expect(run.exitCode, run.all).toBe(3);
    expect(run.all).toMatch(/unreachable: \[lb-gone\]/);
    expect(run.all).toMatch(/lb-faults\s*: ok=\d+ changed=[1-9]\d* unreachable=0 failed=0/);
    expect((await expectServing()).hsts).toBe(false);
    await expectConverges(v2);
  });

  it('5. sshd stopped mid-run: the run fails, runs during the outage say unreachable, the host finishes by itself', async () => {
    await setPause(host, 4);
    const before = await runLogs(host);
    const cli = startCli(['apply', v2, '--known-hosts', lab.knownHostsFile], { hooked: true });
    const paused = await waitForPause(host, before);
    const sshd = await containerInitPid(host);
    // The listener frozen (no new connections are answered) and the running sessions gone.
    process.kill(sshd, 'SIGSTOP');
    try {
      await dropSshSessions(host);
      const run = await cli.done;
      expect([2, 3], run.all).toContain(run.exitCode);
      expect(run.all).toContain('Lost the SSH connection to lb-faults');
      const outage = await apply(
        inventory('faults-outage.yml', { apim_hsts: false }, { ansible_timeout: 2 }),
      );
      expect(outage.exitCode, outage.all).toBe(3);
      expect(outage.all).toMatch(/unreachable: \[lb-faults\]/);
      expect(await waitForTransactionEnd(host, paused)).toBe('committed');
      expect((await expectServing()).hsts).toBe(false);
    } finally {
      process.kill(sshd, 'SIGCONT');
    }
    await setPause(host, null);
    await expectConverges(v2);
  });

  it('6. a wrong sudo password is a clear error before anything changes', async () => {
    const logs = await runLogs(host);
    const inv = inventory(
      'faults-wrong-become.yml',
      { apim_hsts: false },
      { ansible_user: lab.passwordSudo.user, ansible_become_password: WRONG_BECOME_PASSWORD },
    );
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(2);
    expect(run.all).toContain('sudo refused the become password for user apimsudo');
    expect(await runLogs(host)).toEqual(logs);
    expect(await fileSha(host, CONF)).toBe(v1Sha);
    expect((await expectServing()).hsts).toBe(true);
    await expectConverges(v1);
  });

  it('7. a changed host key is refused (exit 3), host unchanged', async () => {
    const lb = lab.machines[LB]!;
    const other = lab.machines['lb-sid']!;
    // lb-sid's keys recorded under lb-faults' endpoint: a changed host key.
    const forged = readFileSync(lab.knownHostsFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`[127.0.0.1]:${other.sshPort} `))
      .map((l) => l.replace(`[127.0.0.1]:${other.sshPort}`, `[127.0.0.1]:${lb.sshPort}`));
    expect(forged.length).toBeGreaterThan(0);
    const file = join(tmp, 'forged_known_hosts');
    writeFileSync(file, forged.join('\n') + '\n');
    const logs = await runLogs(host);
    const run = await runCli(['apply', v2, '--known-hosts', file]);
    expect(run.exitCode, run.all).toBe(3);
    expect(run.all).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(run.all).toContain('Refusing to connect');
    expect(await runLogs(host)).toEqual(logs);
    expect(await fileSha(host, CONF)).toBe(v1Sha);
    expect((await expectServing()).hsts).toBe(true);
    await expectConverges(v1);
  });

  it('8. a full disk under conf.d: the failed write is undone, nginx keeps serving', async () => {
    await dockerRun(host, 'rm -rf /tmp/faults-confd && cp -a /etc/nginx/conf.d /tmp/faults-confd');
    await inMountNamespace(host, [
      'mount',
      '-t',
      'tmpfs',
      '-o',
      'size=16k,mode=0755',
      'apim-faults-full',
      '/etc/nginx/conf.d',
    ]);
    try {
      // Same files on a 16 KiB filesystem, then filled to the last block (the filler is no *.conf).
      await dockerRun(
        host,
        'cp -a /tmp/faults-confd/. /etc/nginx/conf.d/ && { dd if=/dev/zero of=/etc/nginx/conf.d/zz-filler bs=1k 2>/dev/null; true; }',
      );
      expect((await dockerRun(host, 'df --output=avail /etc/nginx/conf.d | tail -n 1')).trim()).toBe('0');
      const run = await apply(v2);
      expect(run.exitCode, run.all).toBe(2);
      expect(run.all).toContain('No space left on device');
      expect(run.all).toContain('the previous files were restored');
      expect(run.all).not.toContain('could not restore');
      expect(await fileSha(host, CONF)).toBe(v1Sha);
      expect((await expectServing()).hsts).toBe(true);
      expect(await exists(host, `${STATE_DIR}/pending-reload`)).toBe(false);
    } finally {
      await inMountNamespace(host, ['umount', '/etc/nginx/conf.d']);
    }
    await expectConverges(v2);
  });

  it('9. Ctrl-C mid-run: the change in flight finishes, the recap says interrupted', async () => {
    await setPause(host, 3);
    const before = await runLogs(host);
    const cli = startCli(['apply', v2, '--known-hosts', lab.knownHostsFile], { hooked: true });
    const paused = await waitForPause(host, before);
    cli.signal('SIGINT');
    const run = await cli.done;
    expect(run.all).toContain('interrupted: finishing the changes in flight');
    expect(run.all).toMatch(/Interrupted: finished: lb-faults/);
    // The change in flight finished, and the exit code still says the run was interrupted.
    expect(run.exitCode, run.all).toBe(130);
    expect(await waitForTransactionEnd(host, paused)).toBe('committed');
    expect((await expectServing()).hsts).toBe(false);
    await setPause(host, null);
    await expectConverges(v2);
  });

  it('10. two applies at once do not interleave: one wins, the other reports it clearly', async () => {
    const v3 = inventory('faults-v3.yml', { apim_websocket: true });
    await setPause(host, 3);
    const a = startCli(['apply', v2, '--known-hosts', lab.knownHostsFile], { hooked: true });
    const b = startCli(['apply', v3, '--known-hosts', lab.knownHostsFile], { hooked: true });
    const [ra, rb] = await Promise.all([a.done, b.done]);
    await setPause(host, null);
    const runs = [ra, rb];
    expect(
      runs.some((r) => r.exitCode === 0),
      runs.map((r) => r.all).join('\n'),
    ).toBe(true);
    for (const r of runs) {
      if (r.exitCode === 0) continue;
      expect(r.exitCode, r.all).toBe(2);
      expect(r.all).toMatch(/changed on the host since|another apply holds the lock/);
    }
    // Exactly one desired configuration is live: v2 (no HSTS, no WebSocket) or v3 (both).
    const conf = await dockerRun(host, `cat ${CONF}`);
    const websocket = /listen 9099/.test(conf);
    const { hsts } = await expectServing();
    expect(hsts).toBe(websocket);
    const winner = websocket ? v3 : v2;
    if (ra.exitCode !== 0 || rb.exitCode !== 0) {
      expect(winner).toBe(ra.exitCode === 0 ? v2 : v3);
    }
    const next = await apply(winner);
    expect(next.exitCode, next.all).toBe(0);
    expect(next.all).toMatch(NOTHING_CHANGED);
  });

  it('11. rollback on demand restores the previous configuration', async () => {
    const change = await apply(v2);
    expect(change.exitCode, change.all).toBe(0);
    expect((await expectServing()).hsts).toBe(false);
    const back = await runCli(['rollback', v1, '--known-hosts', lab.knownHostsFile]);
    expect(back.exitCode, back.all).toBe(0);
    expect(await fileSha(host, CONF)).toBe(v1Sha);
    expect((await expectServing()).hsts).toBe(true);
    const next = await apply(v1);
    expect(next.exitCode, next.all).toBe(0);
    expect(next.all).toMatch(NOTHING_CHANGED);
  });
});

describe('secrets', () => {
  it('no output channel of this file reveals a key or a password, nor a value derived from one', async () => {
    // One run that uses every channel at once: text, -vvv, --diff, --json, and the run log on the host.
    const json = join(mkdtempSync(join(tmpdir(), 'apim-faults-json-')), 'report.json');
    const inv = inventory(
      'faults-secrets.yml',
      { apim_hsts: false },
      { ansible_user: lab.passwordSudo.user, ansible_become_password: lab.passwordSudo.password },
    );
    const run = await runCli([
      'apply',
      inv,
      '--check',
      '--diff',
      '-vvv',
      '--json',
      json,
      '--known-hosts',
      lab.knownHostsFile,
    ]);
    expect([0, 2], run.all).toContain(run.exitCode);
    expect(run.all).toContain('attempt 1/'); // -vvv really traced the connection
    expect(cliOutputs.length).toBeGreaterThan(20);
    const scanner = new SecretScanner()
      .add('the sudo password', lab.passwordSudo.password)
      .add('the wrong sudo password of case 6', WRONG_BECOME_PASSWORD)
      .addPem('the load balancer TLS key', await dockerRun(host, 'cat /etc/nginx/ssl/apim.key'));
    cliOutputs.forEach((output, i) => scanner.assertClean(`CLI output #${i + 1}`, output));
    scanner.assertClean('--json report', readFileSync(json, 'utf8'));
    const logs = await dockerRun(host, `cat ${STATE_DIR}/runs/* 2>/dev/null || :`);
    expect(logs.length).toBeGreaterThan(0);
    scanner.assertClean(`run logs on the host (${STATE_DIR}/runs)`, logs);
  });
});
