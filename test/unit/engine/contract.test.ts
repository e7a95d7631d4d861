/**
 * The engine's side of the module contract, against in-memory hosts: rendered arguments checked
 * by the module's own rules before anything runs, check mode owned by the engine (the local CA
 * included), status as data, and rollback through the same per-host runner as apply.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import { rollbackPlaybook } from '../../../src/engine/rollback-playbook.js';
import { runPlayOnHost } from '../../../src/engine/run-play-on-host.js';
import { runPlaybook } from '../../../src/engine/run-playbook.js';
import type { RunOptions } from '../../../src/engine/run-options.js';
import { scriptInputs } from '../../support/script-input.js';
import { FakeHostConnection } from './support/fake-connection.js';
import { FakeHost } from './support/fake-host.js';
import { addHost, connectTargets, resetNetwork } from './support/fake-network.js';
import {
  firstPlay,
  inventoryYaml,
  loadTestInventory,
  openSession,
  playbookFrom,
  RecordingObserver,
  runOnHost,
  runOptions,
  sitePlaybook,
} from './support/engine-fixtures.js';

vi.mock('../../../src/transport/connect.js', async () => {
  const { fakeConnect } = await import('./support/fake-network.js');
  return { connect: fakeConnect };
});

const CONNECT = { knownHostsFiles: [], acceptNewHostKeys: false };

beforeEach(() => resetNetwork());

const runYaml = (host: FakeHost, tasks: string, options: Partial<RunOptions> = {}, vars = {}) =>
  runOnHost(
    host,
    playbookFrom(`- name: test\n  hosts: all\n  become: true\n  tasks:\n${tasks}`),
    options,
    loadTestInventory(inventoryYaml(['lb1'], vars)),
  );

describe('rendered arguments are checked by the module before anything runs', () => {
  it.each([
    ['file', "path: /srv/x\n        owner: '{{ evil }}'", 'root; touch /tmp/x', 'file.owner'],
    ['file', "path: /srv/x\n        mode: '{{ evil }}'", "0644'; id; '", 'file.mode'],
    ['service', "name: '{{ evil }}'\n        state: started", 'nginx; touch /tmp/x', 'service.name'],
    ['package', "name: '{{ evil }}'", '-oAPT::Update::Pre-Invoke::=touch /tmp/x', 'package.name'],
    ['copy', "dest: '/etc/nginx/conf.d/{{ evil }}'\n        content: x", '../../../tmp/x', 'copy.dest'],
  ])('%s with an inventory value that would reach a root shell', async (module, args, evil, key) => {
    const host = new FakeHost('lb1');
    const before = host.fingerprint();
    const run = await runYaml(host, `    - name: t\n      ${module}:\n        ${args}\n`, {}, { evil });
    expect(run.failed).toBe(true);
    const message = run.tasks[0]?.message ?? '';
    expect(message).toContain(
      `${key}: ${JSON.stringify(key === 'copy.dest' ? `/etc/nginx/conf.d/${evil}` : evil)}`,
    );
    expect(message).toMatch(/\(rendered from ".*\{\{ evil \}\}.*"\)/);
    expect(message).toMatch(/fix: /);
    expect(message).toMatch(/in task "t" at .*site\.yml:\d+:\d+; nothing was run for it/);
    // Facts were read; nothing else ran, nothing changed.
    expect(run.conn.scripts.every((s) => s === 'facts')).toBe(true);
    expect(host.fingerprint()).toEqual(before);
  });
});

describe('check mode belongs to the engine', () => {
  it('leaves the controller state folder (the local CA) byte-identical; apply creates the CA once', async () => {
    const pki = join(mkdtempSync(join(tmpdir(), 'apim-state-')), '.apim-provision', 'pki');
    const host = new FakeHost('lb1');
    const inventory = loadTestInventory(inventoryYaml());
    const site = async (check: boolean) => {
      const session = await openSession(
        inventory,
        'lb1',
        new FakeHostConnection(host),
        runOptions({ check, pkiDir: pki }),
      );
      return runPlayOnHost(firstPlay(sitePlaybook()), session, new RecordingObserver());
    };
    const check = await site(true);
    const ca = check.tasks.flatMap((t) => t.changes).find((c) => c.target === join(pki, 'ca.crt'));
    expect(ca).toMatchObject({ action: 'create' });
    expect(existsSync(join(pki, '..'))).toBe(false);

    const apply = await site(false);
    expect(apply.tasks.flatMap((t) => t.changes).some((c) => c.target === join(pki, 'ca.crt'))).toBe(true);
    expect(readdirSync(pki).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(statSync(join(pki, 'ca.key')).mode & 0o777).toBe(0o600);
    const snapshot = () =>
      readdirSync(pki).map((f) => [f, readFileSync(join(pki, f), 'utf8'), statSync(join(pki, f)).mtimeMs]);
    const written = snapshot();
    // Drift on the host, then check mode again: the CA exists and is neither shown nor touched.
    host.putFile('/etc/nginx/ssl/apim.crt', 'not a certificate');
    const again = await site(true);
    expect(again.tasks.flatMap((t) => t.changes).some((c) => c.target.startsWith(pki))).toBe(false);
    expect(snapshot()).toEqual(written);
  });

  it("asks sysv services their state only outside check mode (an init script's status is its own code)", async () => {
    const host = new FakeHost('lb1');
    const inventory = loadTestInventory(inventoryYaml());
    const conn = new FakeHostConnection(host);
    const scripts: string[] = [];
    const run = conn.run.bind(conn);
    conn.run = (program, options) => {
      scripts.push(program);
      return run(program, options);
    };
    await openSession(inventory, 'lb1', conn, runOptions({ check: true }));
    await openSession(inventory, 'lb1', conn, runOptions({ check: false }));
    expect(scripts.map((s) => scriptInputs(s).APIM_PROBE_SYSV)).toEqual(['0', '1']);
  });
});

describe('status is data', () => {
  it('a refused reload that was rolled back says so from the host report, not from its message', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1']));
    const lb1 = addHost(FakeHost.withNginx('lb1'));
    lb1.failReload = 'nginx: [emerg] bind() to 0.0.0.0:443 failed (98: Address in use)';
    const summary = await runPlaybook(
      inventory,
      sitePlaybook(),
      runOptions(),
      new RecordingObserver(),
      CONNECT,
    );
    const host = summary.hosts[0]!;
    expect(host.status).toBe('failed');
    expect(host.rolledBack).toBe(true);
    const handler = host.tasks.at(-1)!;
    expect(handler.transaction).toMatchObject({ status: 'reload_failed', rolledBack: true, reloaded: false });
    expect(handler.message).toContain('the previous files were restored');
  });
});

describe('rollback runs through the same per-host runner as apply', () => {
  it('uses -K, --limit and the recap, and restores the newest snapshot', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1', 'lb2']));
    const lb1 = addHost(FakeHost.withNginx('lb1'));
    addHost(FakeHost.withNginx('lb2'));
    await runPlaybook(inventory, sitePlaybook(), runOptions(), new RecordingObserver(), CONNECT);
    const applied = lb1.text('/etc/nginx/conf.d/apim.conf');
    expect(applied).toContain('server_name');
    resetNetwork();
    addHost(lb1);
    const summary = await runPlaybook(
      inventory,
      rollbackPlaybook(inventory.file),
      runOptions({ limit: ['lb1'], becomePassword: new Secret('typed-at-the-K-prompt') }),
      new RecordingObserver(),
      CONNECT,
      'rollback',
    );
    expect(summary.command).toBe('rollback');
    expect(summary.hosts.map((h) => [h.host, h.status])).toEqual([['lb1', 'changed']]);
    expect(connectTargets.get('lb1')?.connection.becomePassword?.reveal()).toBe('typed-at-the-K-prompt');
    expect(lb1.files.has('/etc/nginx/conf.d/apim.conf')).toBe(false);
    expect(summary.hosts[0]?.tasks[0]).toMatchObject({
      task: 'Restore the last good configuration',
      status: 'changed',
    });
  });

  it('plans the rollback in check mode and fails clearly where there is nothing to roll back', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1']));
    addHost(FakeHost.withNginx('lb1'));
    const summary = await runPlaybook(
      inventory,
      rollbackPlaybook(inventory.file),
      runOptions(),
      new RecordingObserver(),
      CONNECT,
      'rollback',
    );
    expect(summary.hosts[0]).toMatchObject({ status: 'failed' });
    expect(summary.hosts[0]?.error).toContain('no snapshot to roll back to');
  });
});
