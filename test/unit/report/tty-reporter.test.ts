import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import type { HostResult } from '../../../src/engine/types.js';
import { createReporter } from '../../../src/report/create-reporter.js';
import { Redactor } from '../../../src/report/redactor.js';
import { captureStream, replay, sampleSummary, task } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('tty reporter (listr2)', () => {
  it('runs a full event sequence into a non-TTY stream (simple renderer) and prints the recap', async () => {
    const out = captureStream(false);
    const reporter = await createReporter({
      mode: 'tty',
      out,
      diff: true,
      verbose: 0,
      color: false,
      redactor: new Redactor(),
    });
    await replay(reporter, sampleSummary());
    const text = out.text();
    expect(text).toContain("changed: [lb1] Write the pattern's conf.d file (1.2s)");
    expect(text).toContain('lb1: changed  ok=3 changed=2 unreachable=0 failed=0 skipped=1');
    expect(text).toContain('nginx -t refused the configuration');
    expect(text).toContain('connect ECONNREFUSED');
    // Diffs follow the progress display, before the recap.
    const diffAt = text.indexOf('+server_name api.example.com;');
    const recapAt = text.indexOf('PLAY RECAP');
    expect(diffAt).toBeGreaterThan(0);
    expect(recapAt).toBeGreaterThan(diffAt);
    expect(text).toContain('(content hidden: secret)');
    expect(text.slice(recapAt)).toMatch(/^lb2-long-name : ok=1 changed=0 unreachable=0 failed=1/m);
  });

  it('drives the redrawing default renderer when the stream is a TTY', async () => {
    const out = captureStream(true);
    const reporter = await createReporter({
      mode: 'tty',
      out,
      diff: false,
      verbose: 0,
      color: false,
      redactor: new Redactor(),
    });
    await replay(reporter, sampleSummary());
    const text = stripAnsi(out.text());
    expect(text).toContain('lb1: changed  ok=3 changed=2');
    expect(text).toContain('lb3: unreachable');
    expect(text).not.toContain('+server_name');
    expect(text).toContain('PLAY RECAP');
  });

  it('shows hosts that never started as not started, with the reason, and still completes', async () => {
    const out = captureStream(false);
    const reporter = await createReporter({
      mode: 'tty',
      out,
      diff: false,
      verbose: 0,
      color: false,
      redactor: new Redactor(),
    });
    reporter.runStarted(['lb1', 'lb2'], { check: true, diff: false });
    reporter.hostStarted('lb1');
    reporter.taskStarted('lb1', 'Gather facts');
    const lb1: HostResult = {
      host: 'lb1',
      status: 'ok',
      tasks: [task({ task: 'Gather facts', status: 'ok' })],
      durationMs: 100,
      roundTrips: 1,
    };
    reporter.taskFinished('lb1', lb1.tasks[0]!);
    reporter.hostFinished(lb1);
    const notStarted: HostResult = {
      host: 'lb2',
      status: 'not_started',
      tasks: [],
      durationMs: 0,
      roundTrips: 0,
      error: 'not started: the run was interrupted (Ctrl-C) before this host was reached',
    };
    await reporter.runFinished(sampleSummary({ hosts: [lb1, notStarted], interrupted: true, check: true }));
    const text = out.text();
    expect(text).toContain('lb2: not started');
    expect(text).not.toMatch(/lb2: ok/);
    expect(text).toContain('Interrupted: finished: lb1; rolled back: none; not started: lb2');
    expect(text).toContain('(check mode: nothing was changed)');
  });

  it('keeps secrets out of the live display', async () => {
    const redactor = new Redactor();
    redactor.add(new Secret('Pa55-in-output'));
    const out = captureStream(false);
    const reporter = await createReporter({
      mode: 'tty',
      out,
      diff: true,
      verbose: 1,
      color: false,
      redactor,
    });
    reporter.runStarted(['lb1'], { check: false, diff: true });
    reporter.taskStarted('lb1', 'Use Pa55-in-output');
    reporter.taskFinished('lb1', task({ task: 'T', status: 'failed', message: 'sudo: Pa55-in-output' }));
    reporter.warning('saw Pa55-in-output', 'lb1');
    reporter.hostFinished({
      host: 'lb1',
      status: 'failed',
      tasks: [],
      durationMs: 1,
      roundTrips: 1,
      error: 'x Pa55-in-output',
    });
    await reporter.runFinished(sampleSummary({ hosts: [] }));
    expect(out.text()).not.toContain('Pa55-in-output');
    expect(out.text()).toContain('sudo: ********');
  });
});
