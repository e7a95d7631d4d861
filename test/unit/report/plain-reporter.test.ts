import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import { createReporter } from '../../../src/report/create-reporter.js';
import { Redactor } from '../../../src/report/redactor.js';
import { captureStream, confChange, replay, sampleSummary, task, turnEnd } from './fixtures.js';

async function runPlain(diff: boolean, redactor = new Redactor(), verbose = 0) {
  const out = captureStream();
  const err = captureStream();
  const reporter = await createReporter({ mode: 'plain', out, err, diff, verbose, color: false, redactor });
  await replay(reporter, sampleSummary());
  return { out: out.text(), err: err.text() };
}

describe('plain reporter', () => {
  it('prints one Ansible-like line per finished task, with change lines', async () => {
    const { out } = await runPlain(false);
    const lines = out.split('\n');
    expect(lines).toContain('ok: [lb1] Gather facts (0.3s)');
    expect(lines).toContain("changed: [lb1] Write the pattern's conf.d file (1.2s)");
    expect(lines).toContain('  ~ /etc/nginx/conf.d/apim.conf: update (mode 0644)');
    expect(lines).toContain('  + /etc/nginx/ssl/apim.crt: create (mode 0644)');
    expect(lines).toContain('  + /etc/nginx/ssl/apim.key: create (mode 0600)');
    expect(lines).toContain('skipped: [lb1] Install NGINX Plus (1.2s)');
    expect(lines).toContain(
      'failed: [lb2-long-name] Test the configuration (0.4s) => nginx: [emerg] unknown directive "sticky"',
    );
    expect(lines).toContain('    nginx: configuration file test failed');
    expect(lines).toContain('unreachable: [lb3] => connect ECONNREFUSED');
    expect(lines).toContain('rolled back: [lb2-long-name] previous configuration restored and serving');
  });

  it('prints no diff, certificate block or secret note without --diff', async () => {
    const { out } = await runPlain(false);
    expect(out).not.toContain('+++ after:');
    expect(out).not.toContain('certificate:');
    expect(out).not.toContain('content hidden');
  });

  it('prints diffs, certificate metadata and secret notes with --diff, in task order', async () => {
    const { out } = await runPlain(true);
    const confAt = out.indexOf('  ~ /etc/nginx/conf.d/apim.conf');
    expect(out.indexOf('+++ after: /etc/nginx/conf.d/apim.conf')).toBeGreaterThan(confAt);
    expect(out).toContain('+server_name api.example.com;');
    expect(out).toContain(
      [
        '  + /etc/nginx/ssl/apim.crt: create (mode 0644)',
        '    certificate:',
        '      subject:    CN=api.example.com',
        '      issuer:     CN=apim-provision local CA',
        '      SANs:       api.example.com, gw.example.com',
        '      not before: 2025-01-01T00:00:00.000Z',
        '      not after:  2025-12-31T00:00:00.000Z',
        '      SHA-256:    AB:CD:EF:01',
        '  + /etc/nginx/ssl/apim.key: create (mode 0600)',
        '    (content hidden: secret)',
      ].join('\n'),
    );
  });

  it('writes warnings to the error stream, host-prefixed when a host is given', async () => {
    const { out, err } = await runPlain(false);
    expect(err.split('\n')).toEqual([
      '[WARNING]: edition auto: chose oss',
      '[WARNING]: [lb1] sticky sessions use ip_hash',
      '[WARNING]: [lb2-long-name] sticky sessions use ip_hash',
      '[WARNING]: [lb3] sticky sessions use ip_hash',
      '',
    ]);
    expect(out).not.toContain('[WARNING]: edition');
  });

  it('ends with the recap', async () => {
    const { out } = await runPlain(false);
    const recap = out.slice(out.indexOf('PLAY RECAP'));
    expect(recap).toMatch(/^lb1 +: ok=3 changed=2 unreachable=0 failed=0 skipped=1 /m);
    expect(recap).toContain('3 hosts:');
  });

  it('heads each play by its name, as Ansible does; a rollback (no plays) by its hosts', async () => {
    const out = captureStream();
    const r = await createReporter({
      mode: 'plain',
      out,
      diff: false,
      verbose: 0,
      color: false,
      redactor: new Redactor(),
    });
    r.runStarted(['lb1', 'lb2'], { check: true, diff: false, plays: ['Install', 'Configure'] });
    r.playStarted?.('Install', ['lb1', 'lb2']);
    r.playStarted?.('Configure', ['lb1']);
    await turnEnd();
    expect(out.text()).toBe(
      'PLAY [Install] (check mode: nothing will be changed)\nPLAY [Configure] (check mode: nothing will be changed)\n',
    );
    const rollback = captureStream();
    (
      await createReporter({
        mode: 'plain',
        out: rollback,
        diff: false,
        verbose: 0,
        color: false,
        redactor: new Redactor(),
      })
    ).runStarted(['lb1'], { check: false, diff: false });
    await turnEnd();
    expect(rollback.text()).toBe('PLAY [lb1]\n');
  });

  it('shows task starts only when verbose', async () => {
    expect((await runPlain(false, new Redactor(), 0)).out).not.toContain('task: [lb1] Gather facts');
    expect((await runPlain(false, new Redactor(), 2)).out).toContain('task: [lb1] Gather facts');
  });

  it('scrubs secrets from every line it writes', async () => {
    const redactor = new Redactor();
    redactor.add(new Secret('becomePa55word'));
    const out = captureStream();
    const err = captureStream();
    const r = await createReporter({
      mode: 'plain',
      out,
      err,
      diff: true,
      verbose: 1,
      color: false,
      redactor,
    });
    r.runStarted(['lb1'], { check: false, diff: true });
    r.taskFinished(
      'lb1',
      task({
        task: 'Write becomePa55word',
        status: 'failed',
        message: 'sudo said becomePa55word',
        warnings: ['w becomePa55word'],
        changes: [{ ...confChange, diff: '+password becomePa55word\n' }],
      }),
    );
    r.warning('warn becomePa55word', 'lb1');
    r.hostFinished({
      host: 'lb1',
      status: 'failed',
      tasks: [],
      durationMs: 1,
      roundTrips: 1,
      error: 'becomePa55word',
    });
    await r.runFinished(sampleSummary({ hosts: [] }));
    expect(out.text() + err.text()).not.toContain('becomePa55word');
    expect(out.text()).toContain('sudo said ********');
  });

  it('colours status lines only when asked', async () => {
    const out = captureStream();
    const r = await createReporter({
      mode: 'plain',
      out,
      diff: false,
      verbose: 0,
      color: true,
      redactor: new Redactor(),
    });
    r.taskFinished('lb1', task({ task: 'T', status: 'changed' }));
    await turnEnd();
    expect(out.text()).toBe('\u001b[33mchanged: [lb1] T (1.2s)\u001b[39m\n');
  });

  it('prints the SSH connection trace from -vvv only, host-prefixed and redacted', async () => {
    const lines = async (verbose: number) => {
      const out = captureStream();
      const redactor = new Redactor();
      redactor.add(new Secret('Trace-secret-77'));
      const reporter = await createReporter({
        mode: 'plain',
        out,
        diff: false,
        verbose,
        color: false,
        redactor,
      });
      reporter.trace('attempt 1/3: TCP connection to 198.51.100.10:22', 'lb1');
      reporter.trace('echoed Trace-secret-77 by mistake', 'lb1');
      await turnEnd();
      return out.text();
    };
    expect(await lines(2)).toBe('');
    expect(await lines(3)).toBe(
      '<lb1> attempt 1/3: TCP connection to 198.51.100.10:22\n<lb1> echoed ******** by mistake\n',
    );
  });

  it('writes the lines of one event-loop turn at once, in order across its two streams', async () => {
    const out = captureStream();
    const err = captureStream();
    const both: string[] = [];
    out.on('data', (c: Buffer) => both.push(`out ${c.toString('utf8')}`));
    err.on('data', (c: Buffer) => both.push(`err ${c.toString('utf8')}`));
    const r = await createReporter({
      mode: 'plain',
      out,
      err,
      diff: false,
      verbose: 0,
      color: false,
      redactor: new Redactor(),
    });
    r.taskFinished('lb1', task({ task: 'A', status: 'ok' }));
    r.taskFinished('lb2', task({ task: 'B', status: 'changed' }));
    expect(out.text()).toBe('');
    r.warning('W', 'lb2');
    r.taskFinished('lb1', task({ task: 'C', status: 'ok' }));
    await turnEnd();
    expect(both).toEqual([
      'out ok: [lb1] A (1.2s)\nchanged: [lb2] B (1.2s)\n',
      'err [WARNING]: [lb2] W\n',
      'out ok: [lb1] C (1.2s)\n',
    ]);
    r.taskFinished('lb2', task({ task: 'D', status: 'ok' }));
    await r.runFinished(sampleSummary({ hosts: [] }));
    expect(out.writes()[2]).toBe('ok: [lb2] D (1.2s)\n');
  });
});
