/**
 * Only the module that manages a file may retire it: records per module on the host, a module that
 * did not run (absent from the playbook, skipped by --tags) keeps its records and files, and a
 * retirement is a planned, shown change with a compare-and-swap. Against an in-memory host.
 */
import { createHash } from 'node:crypto';
import { createCertificate, inspectCertificate } from '../../../src/certs/index.js';
import type { TaskResult } from '../../../src/engine/types.js';
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../../../src/engine/run-options.js';
import type { Playbook } from '../../../src/playbook/index.js';
import { FakeHost } from './support/fake-host.js';
import {
  changesOf,
  inventoryYaml,
  loadTestInventory,
  playbookFrom,
  runOnHost,
  sitePlaybook,
} from './support/engine-fixtures.js';

const CONF = '/etc/nginx/conf.d/apim.conf';
const CERT = '/etc/nginx/ssl/apim.crt';
const KEY = '/etc/nginx/ssl/apim.key';
const inventory = loadTestInventory(inventoryYaml());

const run = (host: FakeHost, playbook: Playbook, options: Partial<RunOptions> = {}) =>
  runOnHost(host, playbook, options, inventory);
const changes = changesOf;
const fileChanges = (tasks: TaskResult[]) =>
  changes(tasks)
    .filter((c) => c.kind === 'file')
    .map((c) => `${c.target}: ${c.summary}`);
const removals = (tasks: TaskResult[]) =>
  changes(tasks)
    .filter((c) => c.action === 'remove')
    .map((c) => `${c.target}: ${c.summary}`);

/** A playbook with one copy task and the reload handler, like playbooks/examples/maintenance-page.yml. */
const COPY_ONLY = playbookFrom(`- name: maintenance
  hosts: loadbalancers
  become: true
  tasks:
    - name: page
      copy:
        dest: /etc/nginx/conf.d/maintenance.conf
        content: "server { listen 8081; }\\n"
      notify: reload
  handlers:
    - name: reload
      nginx_reload:
`);

describe('records per managing module', () => {
  it('a deployed pair the records say apim_tls_certificates wrote is kept without matching key and certificate again; other bytes are checked in full', async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    const cert = host.text(CERT);
    const otherKey = () =>
      createCertificate({ hostnames: ['x.example'], key: { keyType: 'ecdsa', rsaBits: 2048 } }).keyPem;
    const warningsOf = (tasks: TaskResult[]) => tasks.flatMap((t) => t.warnings);

    // A key this module did not write: the full check finds the mismatch and makes a new pair.
    host.putFile(KEY, otherKey(), '0600');
    const replaced = await run(host, sitePlaybook());
    expect(warningsOf(replaced.tasks)).toEqual([
      'replacing the certificate: the deployed key does not match the certificate',
    ]);
    expect(host.text(CERT)).not.toBe(cert);

    // The records vouch for these bytes (as after a verified deploy): the key match is not redone.
    const keptCert = host.text(CERT);
    const vouched = otherKey();
    host.putFile(KEY, vouched, '0600');
    host.recordedSha.set(KEY, createHash('sha256').update(vouched).digest('hex'));
    const kept = await run(host, sitePlaybook());
    expect(warningsOf(kept.tasks)).toEqual([]);
    expect([host.text(CERT), host.text(KEY)]).toEqual([keptCert, vouched]);
  });

  it('records the metadata of the certificate it writes, and judges a vouched certificate by it', async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    const cert = host.text(CERT)!;
    const note = host.recordedNote.get(CERT);
    expect(JSON.parse(Buffer.from(note!, 'base64').toString('utf8'))).toEqual(inspectCertificate(cert));
    expect(host.recordedNote.has(KEY)).toBe(false);

    // Unchanged, the pair is kept and the note stays.
    expect(changes((await run(host, sitePlaybook())).tasks)).toEqual([]);
    expect(host.recordedNote.get(CERT)).toBe(note);

    // The recorded metadata is what is judged: saying the certificate expired makes a new pair.
    const expired = {
      ...inspectCertificate(cert),
      notAfter: new Date(Date.now() - 86_400_000).toISOString(),
    };
    host.recordedNote.set(CERT, Buffer.from(JSON.stringify(expired)).toString('base64'));
    const renewed = await run(host, sitePlaybook());
    expect(renewed.tasks.flatMap((t) => t.warnings)).toEqual([
      `replacing the certificate: the certificate expired on ${expired.notAfter}`,
    ]);
    expect(host.text(CERT)).not.toBe(cert);

    // Read back (its mode was changed, so it is staged again), a certificate whose note names another
    // certificate's fingerprint is parsed instead, and kept.
    const kept = host.text(CERT)!;
    host.recordedNote.set(CERT, Buffer.from(JSON.stringify(expired)).toString('base64'));
    host.files.get(CERT)!.mode = '0640';
    const again = await run(host, sitePlaybook());
    expect(again.tasks.flatMap((t) => t.warnings)).toEqual([]);
    expect(fileChanges(again.tasks)).toEqual([`${CERT}: mode 0640 -> 0644`]);
    expect(host.text(CERT)).toBe(kept);
  });

  it('a no-op reads neither the certificate nor the key back when both hash to their records; anything else is read', async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    const pair = [host.text(CERT), host.text(KEY)];
    const answered = (r: Awaited<ReturnType<typeof run>>) =>
      r.conn.factsOutputs.flatMap((out) =>
        out
          .split('\n')
          .filter((l) => /^@@APIM (content|content_recorded) /.test(l))
          .map((l) => l.split(' ')[1]),
      );

    // Unchanged: one round trip, both answered by their records, nothing staged or recorded again.
    const noop = await run(host, sitePlaybook());
    expect(answered(noop)).toEqual(['content_recorded', 'content_recorded']);
    expect(noop.conn.scripts).toEqual(['facts']);
    expect(changes(noop.tasks)).toEqual([]);
    expect([host.text(CERT), host.text(KEY)]).toEqual(pair);

    // The key's mode changed: the pair is judged from the records, only the key is read to stage it again.
    host.files.get(KEY)!.mode = '0644';
    const chmod = await run(host, sitePlaybook());
    expect(answered(chmod)).toEqual(['content_recorded', 'content_recorded', 'content']);
    expect(fileChanges(chmod.tasks)).toEqual([`${KEY}: mode 0644 -> 0600`]);
    expect([host.text(CERT), host.text(KEY)]).toEqual(pair);

    // Other bytes at the key's path (same path, other content): both are read in the first round trip.
    const other = createCertificate({
      hostnames: ['x.example'],
      key: { keyType: 'ecdsa', rsaBits: 2048 },
    }).keyPem;
    host.putFile(KEY, other, '0600');
    const changed = await run(host, sitePlaybook());
    expect(answered(changed)).toEqual(['content', 'content']);
    expect(changed.tasks.flatMap((t) => t.warnings)).toEqual([
      'replacing the certificate: the deployed key does not match the certificate',
    ]);

    // A record without its note (an earlier version's): read back, judged in full, kept.
    host.recordedNote.delete(CERT);
    const noNote = await run(host, sitePlaybook());
    expect(answered(noNote)).toEqual(['content', 'content']);
    expect(changes(noNote.tasks)).toEqual([]);

    // A garbled note: the host cannot tell, the controller reads the pair in a second round trip.
    host.recordedNote.set(CERT, Buffer.from('{"subject":').toString('base64'));
    const garbled = await run(host, sitePlaybook());
    expect(answered(garbled)).toEqual(['content_recorded', 'content_recorded', 'content', 'content']);
    expect(garbled.tasks.flatMap((t) => t.warnings)).toEqual([]);
    expect(changes(garbled.tasks)).toEqual([]);
  });

  it("gives a record an earlier version wrote without the certificate's note that note once, changing nothing; later no-ops read the pair no more", async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    const note = host.recordedNote.get(CERT)!;
    const fingerprint = host.fingerprint();
    host.recordedNote.delete(CERT);
    const read = (r: Awaited<ReturnType<typeof run>>) =>
      r.conn.factsOutputs.flatMap((out) => out.split('\n').filter((l) => l.startsWith('@@APIM content ')));

    // Check mode shows nothing to change and writes nothing.
    const check = await run(host, sitePlaybook(), { check: true, diff: true });
    expect(check.conn.scripts).toEqual(['facts']);
    expect(changes(check.tasks)).toEqual([]);
    expect(host.recordedNote.has(CERT)).toBe(false);

    // The pair is read back and judged in full, then only the records are written: no file, no reload.
    const once = await run(host, sitePlaybook());
    expect(read(once)).toHaveLength(2);
    expect(once.conn.scripts).toEqual(['facts', 'transaction']);
    expect(changes(once.tasks)).toEqual([]);
    expect(once.tasks.map((t) => t.status)).not.toContain('changed');
    expect(host.commits).toHaveLength(1);
    expect(host.recordedNote.get(CERT)).toBe(note);
    expect(host.fingerprint()).toEqual(fingerprint);

    // From now on the no-op is the cheap one: nothing read back, one round trip.
    const noop = await run(host, sitePlaybook());
    expect(read(noop)).toEqual([]);
    expect(noop.conn.scripts).toEqual(['facts']);
    expect(changes(noop.tasks)).toEqual([]);
  });

  it('a copy-only playbook after the built-in one removes nothing, and --tags config keeps the certificate', async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    const apim = [CONF, CERT, KEY].map((p) => host.text(p));
    expect(Object.fromEntries(host.records)).toEqual({
      apim_tls_certificates: [CERT, KEY],
      apim_lb_config: [CONF],
    });

    const check = await run(host, COPY_ONLY, { check: true, diff: true });
    expect(removals(check.tasks)).toEqual([]);
    const copy = await run(host, COPY_ONLY);
    expect(copy.failed).toBe(false);
    expect(removals(copy.tasks)).toEqual([]);
    expect(host.commits.at(-1)?.deletes).toEqual([]);
    expect([CONF, CERT, KEY].map((p) => host.text(p))).toEqual(apim);
    expect(host.text('/etc/nginx/conf.d/maintenance.conf')).toBe('server { listen 8081; }\n');
    // The modules that did not run keep their records.
    expect(Object.fromEntries(host.records)).toEqual({
      apim_tls_certificates: [CERT, KEY],
      apim_lb_config: [CONF],
    });

    const tagged = await run(host, sitePlaybook(), { tags: ['config'] });
    expect(tagged.failed).toBe(false);
    expect(removals(tagged.tasks)).toEqual([]);
    expect([CONF, CERT, KEY].map((p) => host.text(p))).toEqual(apim);
    expect(host.records.get('apim_tls_certificates')).toEqual([CERT, KEY]);
  });

  it('retires the file a module no longer manages, shown in check mode and applied with a compare-and-swap', async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    // An earlier run of apim_lb_config recorded a file of another name (a pattern change renames it).
    const old = '/etc/nginx/conf.d/apim-old.conf';
    host.putFile(old, '# written by an earlier apim_lb_config\n');
    host.record('apim_lb_config', old);
    const before = host.fingerprint();

    const check = await run(host, sitePlaybook(), { check: true, diff: true });
    expect(removals(check.tasks)).toEqual([`${old}: no longer managed by apim_lb_config`]);
    expect(check.tasks.find((t) => t.changes.some((c) => c.target === old))?.module).toBe('apim_lb_config');
    expect(host.fingerprint()).toEqual(before);

    const applied = await run(host, sitePlaybook());
    expect(removals(applied.tasks)).toEqual([`${old}: no longer managed by apim_lb_config`]);
    expect(host.files.has(old)).toBe(false);
    expect(host.commits.at(-1)?.deletes).toEqual([old]);
    expect(host.records.get('apim_lb_config')).toEqual([CONF]);
    expect(applied.tasks.at(-1)?.transaction).toMatchObject({ status: 'committed', removed: [old] });

    const again = await run(host, sitePlaybook());
    expect(changes(again.tasks)).toEqual([]);
  });

  it('never retires a file another module records, one edited since its module wrote it, or one changed before the commit', async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    const shared = '/etc/nginx/conf.d/shared.conf';
    host.putFile(shared, '# x\n');
    host.record('apim_lb_config', shared);
    host.record('someone_else', shared);
    expect(removals((await run(host, sitePlaybook(), { check: true })).tasks)).toEqual([]);

    // Edited by hand since apim_lb_config wrote it: left in place, with a warning saying so.
    host.records.delete('someone_else');
    host.putFile(shared, '# edited by hand\n');
    const edited = await run(host, sitePlaybook());
    expect(removals(edited.tasks)).toEqual([]);
    expect(edited.tasks.flatMap((t) => t.warnings).join('\n')).toContain(
      `${shared} is no longer managed by apim_lb_config, but it was changed on the host since apim_lb_config wrote it`,
    );
    expect(host.text(shared)).toBe('# edited by hand\n');

    // Unchanged when planned, edited between the plan and the transaction: a conflict, nothing removed.
    host.record('apim_lb_config', shared);
    host.beforeTransaction = () => host.putFile(shared, '# edited during the run\n');
    const raced = await run(host, sitePlaybook());
    expect(raced.failed).toBe(true);
    expect(raced.tasks.at(-1)?.message).toContain('changed on the host since they were read');
    expect(host.text(shared)).toBe('# edited during the run\n');
  });

  it('converts the single list an earlier version kept: claimed files get their module, others are never removed', async () => {
    const host = new FakeHost('lb1');
    await run(host, sitePlaybook());
    const stray = '/etc/nginx/conf.d/from-before.conf';
    host.putFile(stray, '# recorded by an earlier version\n');
    host.records.clear();
    host.legacyManaged = [CONF, CERT, KEY, stray];
    const result = await run(host, sitePlaybook());
    expect(removals(result.tasks)).toEqual([]);
    expect(host.files.has(stray)).toBe(true);
    expect(Object.fromEntries(host.records)).toEqual({
      apim_tls_certificates: [CERT, KEY],
      apim_lb_config: [CONF],
    });
    expect(host.legacyManaged).toBeUndefined();
    // Records that changed are written even when no file did: one transaction, no reload.
    expect(host.commits).toHaveLength(1);
    expect(result.conn.scripts).toContain('transaction');
  });
});
