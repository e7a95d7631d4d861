import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import type { RunSummary } from '../../../src/engine/types.js';
import { JSON_REPORT_VERSION, toJsonReport, writeJsonReport } from '../../../src/report/json-report.js';
import { Redactor } from '../../../src/report/redactor.js';
import { captureStream, certChange, keyChange, sampleSummary, task } from './fixtures.js';

const PASSWORD = 'Sudo-Pa55word!';
const KEY_PASSPHRASE = 'key passphrase 42';
const PEM_BODY_LINE = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY_LINE}\nZmFrZSBrZXkgYm9keQ==\n-----END PRIVATE KEY-----\n`;

/** A run where secrets leak into every free-text field the engine can fill. */
function leakySummary(): RunSummary {
  const b64 = Buffer.from(PASSWORD).toString('base64');
  return {
    command: 'apply',
    check: true,
    startedAt: '2025-06-01T10:00:00.000Z',
    durationMs: 5000,
    interrupted: false,
    warnings: [`become password ${PASSWORD} looks weak`],
    hosts: [
      {
        host: 'lb1',
        status: 'failed',
        durationMs: 4000,
        roundTrips: 6,
        rolledBack: false,
        error: `sudo: ${PASSWORD} rejected; header Basic ${b64}`,
        tasks: [
          task({
            task: `Decrypt with ${KEY_PASSPHRASE}`,
            module: 'certificate',
            status: 'failed',
            message: `openssl printed\n${PRIVATE_KEY}and ${KEY_PASSPHRASE}`,
            warnings: [`passphrase ${KEY_PASSPHRASE} used`],
            changes: [
              {
                kind: 'file',
                action: 'update',
                target: '/etc/nginx/conf.d/apim.conf',
                summary: `auth ${PASSWORD}`,
                diff: `--- before: x\n+++ after: x\n@@ -1 +1 @@\n-old\n+pass ${PASSWORD}\n+${PEM_BODY_LINE}\n`,
              },
              // A secret change must never carry a diff, even if one slipped in.
              { ...keyChange, diff: `+${PRIVATE_KEY}` },
            ],
          }),
        ],
      },
    ],
  };
}

function redactorWithSecrets(): Redactor {
  const r = new Redactor();
  r.add(new Secret(PASSWORD));
  r.add(new Secret(KEY_PASSPHRASE));
  r.add(new Secret(PRIVATE_KEY));
  return r;
}

describe('toJsonReport', () => {
  it('has the stable schema', () => {
    const report = toJsonReport(sampleSummary(), new Redactor());
    expect(Object.keys(report)).toEqual([
      'version',
      'command',
      'check',
      'started_at',
      'duration_ms',
      'interrupted',
      'hosts',
      'totals',
      'warnings',
    ]);
    expect(report.version).toBe(JSON_REPORT_VERSION);
    expect(report.totals).toEqual({
      hosts: 3,
      ok: 4,
      changed: 2,
      unreachable: 1,
      failed: 1,
      skipped: 1,
      rolled_back: 1,
    });
    const [lb1, lb2, lb3] = report.hosts;
    expect(lb1).toMatchObject({
      host: 'lb1',
      status: 'changed',
      duration_ms: 4100,
      round_trips: 5,
      rolled_back: null,
      error: null,
      counts: { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 1 },
    });
    expect(lb2).toMatchObject({ rolled_back: true, error: 'nginx -t refused the configuration' });
    expect(lb3?.counts.unreachable).toBe(1);
    expect(lb1?.tasks[2]).toEqual({
      task: 'Install the certificate',
      module: 'file',
      status: 'changed',
      duration_ms: 1200,
      message: null,
      warnings: [],
      changes: [
        {
          kind: 'file',
          action: 'create',
          target: '/etc/nginx/ssl/apim.crt',
          summary: 'mode 0644',
          certificate: {
            subject: certChange.certificate?.subject,
            issuer: 'CN=apim-provision local CA',
            sans: ['api.example.com', 'gw.example.com'],
            not_before: '2025-01-01T00:00:00.000Z',
            not_after: '2025-12-31T00:00:00.000Z',
            fingerprint_sha256: 'AB:CD:EF:01',
          },
        },
        {
          kind: 'file',
          action: 'create',
          target: '/etc/nginx/ssl/apim.key',
          summary: 'mode 0600',
          secret: true,
        },
      ],
    });
    expect(lb1?.tasks[1]?.changes[0]?.diff).toContain('+server_name api.example.com;');
  });

  it('never contains a registered secret, its base64 form, or a private key', () => {
    const text = JSON.stringify(toJsonReport(leakySummary(), redactorWithSecrets()));
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(text).not.toContain(KEY_PASSPHRASE);
    expect(text).not.toContain(PEM_BODY_LINE);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).toContain('********');
  });

  it('drops any diff of a secret change', () => {
    const report = toJsonReport(leakySummary(), new Redactor());
    const secretChange = report.hosts[0]?.tasks[0]?.changes[1];
    expect(secretChange).toEqual({
      kind: 'file',
      action: 'create',
      target: '/etc/nginx/ssl/apim.key',
      summary: 'mode 0600',
      secret: true,
    });
  });
});

describe('writeJsonReport', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the scrubbed report to a file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-'));
    const file = join(dir, 'run.json');
    await writeJsonReport(file, leakySummary(), redactorWithSecrets());
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(JSON.parse(text)).toMatchObject({ version: JSON_REPORT_VERSION, command: 'apply', check: true });
  });

  it('writes to the given stdout for -', async () => {
    const out = captureStream();
    await writeJsonReport('-', sampleSummary(), new Redactor(), out);
    expect(JSON.parse(out.text())).toMatchObject({ totals: { hosts: 3 } });
  });
});
