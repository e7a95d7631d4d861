/**
 * runPlaybook over several in-memory hosts: serial batches, --limit, unreachable hosts, and what
 * the reporters print. transport/connect.js is mocked with support/fake-network.ts, so every
 * "SSH connection" is a FakeHostConnection; everything above the transport is the real engine.
 */
import { Writable } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { redactorFor } from '../../../src/cli/secrets-of.js';
import { runPlaybook } from '../../../src/engine/run-playbook.js';
import type { RunOptions } from '../../../src/engine/run-options.js';
import type { Inventory } from '../../../src/domain/types.js';
import type { RunSummary } from '../../../src/engine/types.js';
import { EXIT, createReporter, exitCodeFor, toJsonReport } from '../../../src/report/index.js';
import { HostKeyError, UnreachableError } from '../../../src/transport/types.js';
import { FakeHost } from './support/fake-host.js';
import { addHost, connectAttempts, failConnect, resetNetwork } from './support/fake-network.js';
import {
  inventoryYaml,
  loadTestInventory,
  RecordingObserver,
  runOptions,
  sitePlaybook,
} from './support/engine-fixtures.js';

vi.mock('../../../src/transport/connect.js', async () => {
  const { fakeConnect } = await import('./support/fake-network.js');
  return { connect: fakeConnect };
});

const CONNECT = { knownHostsFiles: [], acceptNewHostKeys: false };
const REFUSED = 'nginx: [emerg] host not found in upstream "192.0.2.10:9443"';

async function run(inventory: Inventory, options: Partial<RunOptions> = {}) {
  const observer = new RecordingObserver();
  const summary = await runPlaybook(inventory, sitePlaybook(), runOptions(options), observer, CONNECT);
  const status = Object.fromEntries(summary.hosts.map((h) => [h.host, h.status]));
  return { summary, observer, status };
}

beforeEach(() => resetNetwork());

describe('runPlaybook', () => {
  it('stops a serial rollout after a failed batch: later hosts are not contacted', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1', 'lb2', 'lb3']));
    addHost(FakeHost.withNginx('lb1')).refuseConfig = () => REFUSED;
    const lb2 = addHost(FakeHost.withNginx('lb2'));
    addHost(FakeHost.withNginx('lb3'));
    const { summary, status } = await run(inventory, { serial: 1 });
    expect(status).toEqual({ lb1: 'failed', lb2: 'not_started', lb3: 'not_started' });
    expect(summary.hosts[1]?.error).toMatch(/^not started: the rollout stopped after a failed batch/);
    expect(connectAttempts).toEqual(['lb1']);
    expect(lb2.commits).toEqual([]);
    expect(summary.warnings.join('\n')).toContain('rollout stopped after a failed batch');
    expect(summary.hosts[0]?.error).toContain('host not found in upstream');
    expect(exitCodeFor(summary, { check: false, detailedExitcode: false })).toBe(EXIT.HOST_FAILED);
  });

  it('Ctrl-C before a host is reached: not started, with the reason; the progress view says so too', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1', 'lb2']));
    addHost(FakeHost.withNginx('lb1'));
    addHost(FakeHost.withNginx('lb2'));
    const controller = new AbortController();
    controller.abort();
    let soFar: (() => RunSummary) | undefined;
    const { summary, status } = await run(inventory, {
      signal: controller.signal,
      onProgress: (get) => (soFar = get),
    });
    expect(status).toEqual({ lb1: 'not_started', lb2: 'not_started' });
    expect(summary.interrupted).toBe(true);
    expect(summary.hosts[0]?.error).toBe(
      'not started: the run was interrupted (Ctrl-C) before this host was reached',
    );
    expect(connectAttempts).toEqual([]);
    expect(soFar?.().hosts.map((h) => h.status)).toEqual(['not_started', 'not_started']);
    expect(exitCodeFor(summary, { check: false, detailedExitcode: false })).toBe(EXIT.INTERRUPTED);
  });

  it('without serial, a failed host does not stop the others', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1', 'lb2']));
    addHost(FakeHost.withNginx('lb1')).refuseConfig = () => REFUSED;
    addHost(FakeHost.withNginx('lb2'));
    const { status } = await run(inventory);
    expect(status).toEqual({ lb1: 'failed', lb2: 'changed' });
  });

  it('works only on the hosts --limit selects', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1', 'lb2', 'lb3']));
    for (const n of ['lb1', 'lb2', 'lb3']) addHost(new FakeHost(n));
    const { summary, observer } = await run(inventory, { check: true, limit: ['lb2'] });
    expect(observer.started).toEqual(['lb2']);
    expect(connectAttempts).toEqual(['lb2']);
    expect(summary.hosts.map((h) => [h.host, h.status])).toEqual([['lb2', 'changed']]);
  });

  it('reports an unreachable host and carries on with the others (exit 3)', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1', 'lb2', 'lb3']));
    failConnect('lb1', new UnreachableError('lb1', 'connect ECONNREFUSED 127.0.0.2:22'));
    failConnect('lb3', new HostKeyError('lb3', 'the host key of lb3 has changed', 'SHA256:abc'));
    const lb2 = addHost(new FakeHost('lb2'));
    const { summary, status } = await run(inventory);
    expect(status).toEqual({ lb1: 'unreachable', lb2: 'changed', lb3: 'unreachable' });
    expect(summary.hosts[0]?.error).toContain('ECONNREFUSED');
    expect(lb2.nginx?.running).toBe(true);
    expect(exitCodeFor(summary, { check: false, detailedExitcode: false })).toBe(EXIT.UNREACHABLE);
  });

  it('counts round trips per host: a second run on an unchanged host needs only a few', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1']));
    addHost(new FakeHost('lb1'));
    await run(inventory);
    const { summary } = await run(inventory);
    expect(summary.hosts[0]?.status).toBe('ok');
    expect(summary.hosts[0]?.roundTrips).toBeLessThanOrEqual(3);
  });

  it("hands the transaction nginx -V as the facts after the install saw it, with the binary's identity", async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1']));
    const host = new FakeHost('lb1');
    addHost(host);
    await run(inventory);
    expect(host.commits).toHaveLength(1);
    expect(host.commits[0]!.nginxSeen.identity).toBe(host.nginx!.identity);
    expect(host.commits[0]!.nginxSeen.text).toMatch(/^nginx version: nginx\/1\.22\.1\n/);
  });

  it('never shows a secret of the inventory in the recap, the task lines or the JSON report', async () => {
    const passwords = ['Ssh-Pw-99y-secret', 'Become-Pw-77x-secret'];
    const inventory = loadTestInventory(
      inventoryYaml(['lb1', 'lb2']).replace(
        'ansible_become: true\n',
        `ansible_become: true\n    ansible_password: '${passwords[0]}'\n    ansible_become_password: { env: BECOME_PW }\n`,
      ),
      { BECOME_PW: passwords[1] },
    );
    const lb1 = addHost(new FakeHost('lb1'));
    // A transport error that quotes a secret must still reach the output scrubbed.
    failConnect('lb2', new UnreachableError('lb2', `authentication failed for password ${passwords[0]}`));
    let printed = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        printed += chunk.toString();
        done();
      },
    });
    const redactor = redactorFor(inventory);
    const reporter = await createReporter({
      mode: 'plain',
      out: sink,
      err: sink,
      diff: true,
      verbose: 2,
      color: false,
      redactor,
    });
    const summary = await runPlaybook(
      inventory,
      sitePlaybook(),
      runOptions({ diff: true }),
      reporter,
      CONNECT,
    );
    const json = JSON.stringify(toJsonReport(summary, redactor));
    const keyPem = lb1.text('/etc/nginx/ssl/apim.key')!;
    expect(printed).toContain('PLAY RECAP');
    expect(printed).toContain('authentication failed for password ********');
    for (const text of [printed, json]) {
      for (const p of passwords) expect(text).not.toContain(p);
      expect(text).not.toMatch(/PRIVATE KEY/);
      expect(text).not.toContain(keyPem.split('\n')[1]);
    }
  });
});
