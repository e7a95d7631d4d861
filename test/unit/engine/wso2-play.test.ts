/**
 * The built-in WSO2 playbook (playbooks/site.yml) run by the real engine and modules against an
 * in-memory host (support/fake-connection.ts): planning, check mode, idempotence, the transaction
 * and its handler, drift repair and pending reloads. No network.
 */
import type { TaskResult } from '../../../src/engine/types.js';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/domain/types.js';
import { FakeHost } from './support/fake-host.js';
import {
  changesOf,
  inventoryYaml,
  loadTestInventory,
  runOnHost,
  sitePlaybook,
} from './support/engine-fixtures.js';
import type { RunOptions } from '../../../src/engine/run-options.js';
import { unifiedDiff } from '../../../src/engine/unified-diff.js';
import { DIFF_READ_AHEAD_BYTES } from '../../../src/modules/apim-paths.js';

const CONF = '/etc/nginx/conf.d/apim.conf';
const SSL_DIR = '/etc/nginx/ssl';
const CERT = '/etc/nginx/ssl/apim.crt';
const KEY = '/etc/nginx/ssl/apim.key';
const RELOAD_HANDLER = 'validate and reload nginx';

const inventory: Inventory = loadTestInventory(inventoryYaml());

const runSite = (host: FakeHost, options: Partial<RunOptions> = {}, inv = inventory) =>
  runOnHost(host, sitePlaybook(), options, inv);
const targets = (tasks: TaskResult[]): string[] =>
  changesOf(tasks).map((c) => `${c.kind} ${c.action} ${c.target}`);

describe('the WSO2 play on a bare host', () => {
  it('plans the install, certificate, key, configuration, log folders and one reload in check mode', async () => {
    const host = new FakeHost('lb1');
    const { tasks, failed } = await runSite(host, { check: true });
    expect(failed).toBe(false);
    expect(targets(tasks)).toEqual([
      'package install nginx',
      // The local CA is only shown: check mode writes nothing on the controller either.
      expect.stringMatching(/^file create \/.*\/pki\/ca\.crt$/),
      `directory create ${SSL_DIR}`,
      `file create ${CERT}`,
      `file create ${KEY}`,
      // The docs' log folders: am for the all-in-one name; default for the port-80 catch-all.
      'directory create /etc/nginx/log/am/http',
      'directory create /etc/nginx/log/am/https',
      'directory create /etc/nginx/log/default/http',
      'directory create /etc/nginx/log/gw/http',
      'directory create /etc/nginx/log/gw/https',
      `file create ${CONF}`,
      'reload reload nginx',
    ]);
    expect(tasks.map((t) => [t.task, t.status])).toEqual([
      ['Install NGINX (Community or Plus, per the deployment pattern)', 'changed'],
      ["Install the load balancer's TLS certificate and key", 'changed'],
      ["Write the pattern's NGINX configuration", 'changed'],
      [RELOAD_HANDLER, 'changed'],
    ]);
    const key = changesOf(tasks).find((c) => c.target === KEY);
    expect(key).toMatchObject({ secret: true, summary: 'mode 0600, root:root' });
    expect(key?.diff).toBeUndefined();
    expect(changesOf(tasks).find((c) => c.target === CERT)?.certificate?.sans).toContain('api.am.wso2.com');
  });

  it('runs no mutating program in check mode: facts only, no install, no transaction', async () => {
    const host = new FakeHost('lb1');
    const before = host.fingerprint();
    const { conn } = await runSite(host, { check: true, diff: true });
    expect(conn.scripts).toEqual(['facts']);
    expect(host.fingerprint()).toEqual(before);
    expect(host.nginx).toBeUndefined();
    expect(host.commits).toEqual([]);
  });

  it("renders, in check mode, for the nginx the install task will bring (apt's candidate)", async () => {
    const newer = new FakeHost('lb1');
    newer.candidateVersion = '1.26.0';
    const confNew = changesOf((await runSite(newer, { check: true, diff: true })).tasks).find(
      (c) => c.target === CONF,
    );
    expect(confNew?.diff).toContain('+    http2 on;');
    expect(confNew?.diff).not.toContain('ssl http2;');

    const older = new FakeHost('lb1');
    older.candidateVersion = '1.22.1';
    const confOld = changesOf((await runSite(older, { check: true, diff: true })).tasks).find(
      (c) => c.target === CONF,
    );
    expect(confOld?.diff).toContain('+    listen 443 ssl http2;');
    expect(confOld?.diff).not.toContain('http2 on;');
  });

  it('listens on [::] only where the host has IPv6, unless nginx_listen_ipv6 says otherwise', async () => {
    const confOf = async (host: FakeHost, inv = inventory) =>
      changesOf((await runSite(host, { check: true, diff: true }, inv)).tasks).find((c) => c.target === CONF)
        ?.diff ?? '';
    const withIpv6 = new FakeHost('lb1');
    expect(await confOf(withIpv6)).toContain('+    listen [::]:443 ssl http2;');
    const withoutIpv6 = new FakeHost('lb1');
    withoutIpv6.ipv6 = false;
    const auto = await confOf(withoutIpv6);
    expect(auto).toContain('+    listen 443 ssl http2;');
    expect(auto).not.toContain('[::]');
    const forced = loadTestInventory(inventoryYaml(['lb1'], { nginx_listen_ipv6: true }));
    expect(await confOf(withoutIpv6, forced)).toContain('[::]:443');
    const off = loadTestInventory(inventoryYaml(['lb1'], { nginx_listen_ipv6: false }));
    expect(await confOf(new FakeHost('lb1'), off)).not.toContain('[::]');
  });

  it('installs, stages everything, and makes it live in one transaction with one reload handler run', async () => {
    const host = new FakeHost('lb1');
    const { tasks, failed, conn } = await runSite(host);
    expect(failed).toBe(false);
    expect(conn.scripts).toEqual(['facts', 'install', 'facts', 'transaction']);
    expect(tasks.filter((t) => t.task === RELOAD_HANDLER)).toHaveLength(1);
    expect(tasks.at(-1)).toMatchObject({ task: RELOAD_HANDLER, status: 'changed' });
    expect(host.commits).toHaveLength(1);
    expect(host.commits[0]?.files.sort()).toEqual([CERT, CONF, KEY].sort());
    // Installed but not started by the package: the transaction starts it with the new files.
    expect(host.commits[0]?.started).toBe(true);
    expect(host.nginx?.running).toBe(true);
    expect(host.directories.get(SSL_DIR)).toMatchObject({ mode: '0700', owner: 'root' });
    expect(host.files.get(KEY)).toMatchObject({ mode: '0600', owner: 'root', group: 'root' });
    expect(host.files.get(CERT)?.mode).toBe('0644');
    expect(host.text(CONF)).toContain('server_name api.am.wso2.com');
    expect(host.text(KEY)).toMatch(/BEGIN (EC )?PRIVATE KEY/);
    expect(Object.fromEntries(host.records)).toEqual({
      apim_tls_certificates: [CERT, KEY],
      apim_lb_config: [CONF],
    });
  });

  it('changes nothing on a second run: every task ok, no transaction, no reload', async () => {
    const host = new FakeHost('lb1');
    await runSite(host);
    const before = host.fingerprint();
    const { tasks, conn } = await runSite(host);
    expect(tasks.map((t) => t.status)).toEqual(['ok', 'ok', 'ok']);
    expect(changesOf(tasks)).toEqual([]);
    // One facts program: the deployed certificate and key are read back in it, not in a second one.
    expect(conn.scripts).toEqual(['facts']);
    expect(host.commits).toHaveLength(1);
    expect(host.fingerprint()).toEqual(before);

    const check = await runSite(host, { check: true });
    expect(changesOf(check.tasks)).toEqual([]);
  });

  it('shows drift in check mode (diff for the conf, metadata only for the key) and repairs it after', async () => {
    const host = new FakeHost('lb1');
    await runSite(host);
    const keyPem = host.text(KEY)!;
    host.putFile(CONF, host.text(CONF)!.replace('listen 443 ssl http2;', 'listen 8443 ssl;'));
    host.files.get(KEY)!.mode = '0644';
    const drifted = host.fingerprint();

    const check = await runSite(host, { check: true, diff: true });
    expect(host.fingerprint()).toEqual(drifted);
    const conf = changesOf(check.tasks).find((c) => c.target === CONF);
    expect(conf?.diff).toMatch(/^- {4}listen 8443 ssl;$/m);
    expect(conf?.diff).toMatch(/^\+ {4}listen 443 ssl http2;$/m);
    const key = changesOf(check.tasks).find((c) => c.target === KEY);
    expect(key).toMatchObject({ secret: true, summary: 'mode 0644 -> 0600' });
    expect(JSON.stringify(check.tasks)).not.toContain(keyPem.split('\n')[1]!);

    const repair = await runSite(host);
    expect(repair.failed).toBe(false);
    expect(host.files.get(KEY)?.mode).toBe('0600');
    expect(host.text(CONF)).not.toContain('listen 8443');
    expect(host.commits.at(-1)?.reloaded).toBe(true);
  });

  it('reloads for a pending reload an interrupted run left, even with nothing to change', async () => {
    const host = new FakeHost('lb1');
    await runSite(host);
    host.pendingReload = '20250101000000-abcdef';
    const { tasks, observer } = await runSite(host);
    expect(observer.warnings.map((w) => w.message)).toContainEqual(
      expect.stringContaining('interrupted before nginx was reloaded'),
    );
    expect(tasks.at(-1)).toMatchObject({ task: RELOAD_HANDLER, status: 'changed' });
    expect(host.commits.at(-1)).toMatchObject({ files: [], reloaded: true });
    expect(host.pendingReload).toBeUndefined();
  });

  it('fails the host when nginx -t refuses the candidate, and nothing goes live', async () => {
    const host = FakeHost.withNginx('lb1');
    host.refuseConfig = () => 'nginx: [emerg] unknown directive "bogus" in /etc/nginx/conf.d/apim.conf:3';
    const before = host.fingerprint();
    const { tasks, failed } = await runSite(host);
    expect(failed).toBe(true);
    const handler = tasks.at(-1);
    expect(handler).toMatchObject({ task: RELOAD_HANDLER, status: 'failed' });
    expect(handler?.message).toContain('nothing was changed on the host');
    expect(handler?.message).toContain('unknown directive "bogus"');
    expect(host.fingerprint()).toEqual(before);
    expect(host.commits).toEqual([]);
  });

  it('runs only the tasks selected by --tags, and skips those of --skip-tags', async () => {
    const host = FakeHost.withNginx('lb1');
    const tagged = await runSite(host, { check: true, tags: ['config'] });
    expect(tagged.tasks.map((t) => t.task)).toEqual([
      "Write the pattern's NGINX configuration",
      RELOAD_HANDLER,
    ]);
    const skipped = await runSite(host, { check: true, skipTags: ['tls', 'install'] });
    expect(skipped.tasks.map((t) => t.task)).toEqual([
      "Write the pattern's NGINX configuration",
      RELOAD_HANDLER,
    ]);
  });

  it('never puts the become password or a private key in the task results', async () => {
    const secretInventory = loadTestInventory(
      inventoryYaml(['lb1']).replace(
        'ansible_become: true\n',
        "ansible_become: true\n    ansible_become_password: 'Become-S3cret-xyz'\n",
      ),
    );
    const host = new FakeHost('lb1');
    const { tasks } = await runSite(host, { check: true, diff: true }, secretInventory);
    expect(JSON.stringify(tasks)).not.toContain('Become-S3cret-xyz');
    expect(JSON.stringify(tasks)).not.toMatch(/PRIVATE KEY/);
  });
});

describe('--diff of the conf.d file: its old content comes with the facts where it may differ', () => {
  const EDIT = '# edited on the host\n';
  const confDiff = (tasks: TaskResult[]) => changesOf(tasks).find((c) => c.target === CONF)?.diff;
  // A `content` record of the conf.d file in a facts program's output.
  /** Did these facts carry the conf.d file's content (its field plain, as a plain path travels, or base64)? */
  const readConf = (out: string) =>
    [`=${CONF}`, Buffer.from(CONF).toString('base64')].some((f) => out.includes(`@@APIM content ${f} `));

  it('shows a file edited on the host from the facts round trip alone, the diff as before', async () => {
    const host = new FakeHost('lb1');
    await runSite(host);
    const written = host.text(CONF)!;
    host.putFile(CONF, EDIT + written);
    const drifted = host.fingerprint();
    const { tasks, conn } = await runSite(host, { check: true, diff: true });
    expect(conn.scripts).toEqual(['facts']);
    expect(conn.roundTrips).toBe(1);
    expect(confDiff(tasks)).toBe(unifiedDiff(CONF, EDIT + written, written));
    expect(confDiff(tasks)).toMatch(/^-# edited on the host$/m);
    expect(host.fingerprint()).toEqual(drifted);
  });

  it('reads a file larger than the read-ahead cap in a round trip of its own, with the same diff', async () => {
    const host = new FakeHost('lb1');
    await runSite(host);
    const written = host.text(CONF)!;
    const large = `${'#'.repeat(DIFF_READ_AHEAD_BYTES)}\n${written}`;
    host.putFile(CONF, large);
    const { tasks, conn } = await runSite(host, { check: true, diff: true });
    expect(conn.scripts).toEqual(['facts', 'facts']);
    expect(readConf(conn.factsOutputs[0]!)).toBe(false);
    expect(confDiff(tasks)).toBe(unifiedDiff(CONF, large, written));
  });

  it('does not read a file that holds what the tool last wrote: a no-op --diff reads nothing more', async () => {
    const host = new FakeHost('lb1');
    await runSite(host);
    const { tasks, conn } = await runSite(host, { diff: true });
    expect(changesOf(tasks)).toEqual([]);
    expect(conn.scripts).toEqual(['facts']);
    expect(readConf(conn.factsOutputs[0]!)).toBe(false);
    // Without --diff nothing is asked ahead at all.
    const plain = await runSite(host, { check: true });
    expect(readConf(plain.conn.factsOutputs[0]!)).toBe(false);
  });

  it('reads the old content of the file the tool last wrote in the facts round trip when the inventory changed', async () => {
    const host = new FakeHost('lb1');
    await runSite(host);
    const written = host.text(CONF)!;
    const moved = loadTestInventory(inventoryYaml().replace('192.0.2.10', '192.0.2.11'));
    const { tasks, conn } = await runSite(host, { check: true, diff: true }, moved);
    expect(conn.scripts).toEqual(['facts']);
    expect(readConf(conn.factsOutputs[0]!)).toBe(true);
    const diff = confDiff(tasks);
    expect(diff).toMatch(/^-.*192\.0\.2\.10:/m);
    expect(diff).toMatch(/^\+.*192\.0\.2\.11:/m);
    const repaired = await runSite(host, {}, moved);
    expect(repaired.failed).toBe(false);
    expect(diff).toBe(unifiedDiff(CONF, written, host.text(CONF)!));
  });
});
