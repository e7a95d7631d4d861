import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import type { HostResult, RunSummary } from '../../../src/engine/types.js';
import type { Diagnostic } from '../../../src/input/diagnostics.js';
import { createReporter } from '../../../src/report/create-reporter.js';
import { formatDiagnostics } from '../../../src/report/diagnostics-printer.js';
import { writeJsonReport } from '../../../src/report/json-report.js';
import { Redactor } from '../../../src/report/redactor.js';
import { jsonText, sanitiseText } from '../../../src/report/sanitise.js';
import { captureStream, replay, task, turnEnd } from './fixtures.js';

/** Any character a terminal acts on instead of printing (newline and tab aside). */
const RAW_CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('sanitiseText', () => {
  it.each([
    ['clear screen \u001b[2J\u001b[H', 'clear screen \\x1b[2J\\x1b[H'],
    ['window title \u001b]0;pwned\u0007', 'window title \\x1b]0;pwned\\x07'],
    ['C1 CSI \u009b31mred', 'C1 CSI \\x9b31mred'],
    ['fake line\rok: [lb1] all good', 'fake line\\rok: [lb1] all good'],
    ['back\bspace, form\ffeed, vertical\vtab, nul\0', 'back\\bspace, form\\ffeed, vertical\\vtab, nul\\0'],
    ['DEL \u007f', 'DEL \\x7f'],
    ['bidi \u202egnp.exe \u2066iso\u2069', 'bidi \\u202egnp.exe \\u2066iso\\u2069'],
    ['separator \u2028 here', 'separator \\u2028 here'],
  ])('escapes %j', (input, shown) => {
    expect(sanitiseText(input)).toBe(shown);
    expect(sanitiseText(input)).not.toMatch(RAW_CONTROL);
  });

  it('keeps newlines, tabs and ordinary Unicode', () => {
    const text = 'line 1\n\tindented — é ✓ 日本 🚀\nserver_name api.example.com;';
    expect(sanitiseText(text)).toBe(text);
  });
});

const EVIL = '\u001b[2J\u001b]0;owned\u0007\r';

/** A run in which every text that comes from a host or from input carries control characters. */
function hostileSummary(): RunSummary {
  const lb1: HostResult = {
    host: `lb1${EVIL}`,
    status: 'failed',
    durationMs: 100,
    roundTrips: 2,
    error: `transaction failed${EVIL}`,
    tasks: [
      task({
        task: `Write config${EVIL}`,
        status: 'changed',
        warnings: [`warned${EVIL}`],
        changes: [
          {
            kind: 'file',
            action: 'update',
            target: `/etc/nginx/conf.d/x${EVIL}.conf`,
            summary: 'content',
            diff: `--- before: x\n+++ after: x\n@@ -1 +1 @@\n-old\u001b[31m line from the host\r\n+new\n`,
          },
          {
            kind: 'file',
            action: 'create',
            target: '/etc/nginx/ssl/apim.crt',
            summary: 'mode 0644',
            certificate: {
              subject: `CN=evil${EVIL}`,
              issuer: 'CN=ca',
              sans: [`a${EVIL}`],
              notBefore: 'x',
              notAfter: 'y',
              fingerprintSha256: 'AB',
            },
          },
        ],
      }),
      task({ task: 'Test', status: 'failed', message: `nginx: [emerg] unknown "\u001b[8mhidden"${EVIL}` }),
    ],
  };
  return {
    command: 'apply',
    check: false,
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 100,
    hosts: [lb1],
    interrupted: false,
    warnings: [`run warning${EVIL}`],
  };
}

async function render(mode: 'plain' | 'tty', verbose = 3): Promise<string> {
  const out = captureStream(false);
  const err = captureStream(false);
  const reporter = await createReporter({
    mode,
    out,
    err,
    diff: true,
    verbose,
    color: false,
    redactor: new Redactor(),
  });
  await replay(reporter, hostileSummary());
  reporter.trace(`trace${EVIL}`, 'lb1');
  return out.text() + err.text();
}

describe('every output channel escapes control characters', () => {
  it.each(['plain', 'tty'] as const)('the %s reporter shows them escaped, never raw', async (mode) => {
    const text = await render(mode);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('Write config\\x1b[2J\\x1b]0;owned\\x07\\r');
    expect(text).toContain('unknown "\\x1b[8mhidden"');
    expect(text).toContain('-old\\x1b[31m line from the host\\r');
    expect(text).toContain('CN=evil\\x1b[2J');
    expect(text).toContain('transaction failed\\x1b[2J');
  });

  it('keeps the reporters’ own colours', async () => {
    const out = captureStream(false);
    const reporter = await createReporter({
      mode: 'plain',
      out,
      diff: true,
      verbose: 0,
      color: true,
      redactor: new Redactor(),
    });
    await replay(reporter, hostileSummary());
    const text = out.text();
    expect(text).toContain('\u001b[31m'); // failed lines are red
    // Every ESC left is one of ours: a colour (SGR) code, never a screen clear or a title.
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\u001b\[\d+m/g, '')).not.toMatch(RAW_CONTROL);
  });

  it('writes JSON that parses back to the exact values, with no raw control character', async () => {
    const stdout = captureStream(false);
    const summary = hostileSummary();
    summary.warnings.push('C1 \u009b and bidi \u202e and separator \u2028');
    await writeJsonReport('-', summary, new Redactor(), stdout);
    const text = stdout.text();
    expect(text).not.toMatch(RAW_CONTROL);
    const parsed = JSON.parse(text) as { warnings: string[]; hosts: { error: string }[] };
    expect(parsed.warnings).toEqual(summary.warnings);
    expect(parsed.hosts[0]!.error).toBe(`transaction failed${EVIL}`);
    expect(jsonText({ a: '\u009b' }, 0)).toBe('{"a":"\\u009b"}');
  });

  it('escapes them in validation output', () => {
    const diag: Diagnostic = {
      file: `inv${EVIL}.yml`,
      line: 3,
      column: 5,
      key: `all.vars.x${EVIL}`,
      message: `ansible_host "a\u001b[2Jb" is not an address`,
      fix: `set it${EVIL}`,
      severity: 'error',
    };
    const text = formatDiagnostics([diag], false);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('ansible_host "a\\x1b[2Jb" is not an address');
  });

  it('still hides a secret that holds a control character', async () => {
    const redactor = new Redactor();
    redactor.add(new Secret('pass\u001bword-1'));
    const out = captureStream(false);
    const reporter = await createReporter({
      mode: 'plain',
      out,
      diff: false,
      verbose: 3,
      color: false,
      redactor,
    });
    reporter.warning('echoed pass\u001bword-1 back');
    reporter.trace('and pass\u001bword-1 again', 'lb1');
    await turnEnd();
    expect(out.text()).toBe('[WARNING]: echoed ******** back\n<lb1> and ******** again\n');
    expect(redactor.scrub(sanitiseText('x pass\u001bword-1'))).toBe('x ********');
  });
});
