import { describe, expect, it } from 'vitest';
import type { HostResult } from '../../../src/engine/types.js';
import { formatDuration } from '../../../src/report/duration.js';
import { renderRecap } from '../../../src/report/recap.js';
import { sampleSummary, task } from './fixtures.js';

describe('renderRecap', () => {
  it('prints an aligned line per host and a totals line with wall time', () => {
    expect(renderRecap(sampleSummary(), false)).toBe(
      [
        'PLAY RECAP',
        'lb1           : ok=3 changed=2 unreachable=0 failed=0 skipped=1  rolled_back=-   4.1s  rt=5',
        'lb2-long-name : ok=1 changed=0 unreachable=0 failed=1 skipped=0  rolled_back=yes 1.8s  rt=4',
        'lb3           : ok=0 changed=0 unreachable=1 failed=0 skipped=0  rolled_back=-   10.0s rt=0',
        '',
        '3 hosts: ok=4 changed=2 unreachable=1 failed=1 skipped=1 rolled_back=1 rt=9 in 12.3s',
        '',
      ].join('\n'),
    );
  });

  it('aligns wide counts', () => {
    const many = Array.from({ length: 12 }, (_, i) => task({ task: `t${i}`, status: 'ok' }));
    const text = renderRecap(
      sampleSummary({
        hosts: [
          { host: 'a', status: 'ok', tasks: many, durationMs: 1000, roundTrips: 1 },
          { host: 'bb', status: 'ok', tasks: [], durationMs: 1000, roundTrips: 10 },
        ],
      }),
      false,
    );
    const [a, b] = text.split('\n').slice(1, 3);
    expect(a).toBe('a  : ok=12 changed=0 unreachable=0 failed=0 skipped=0  rolled_back=- 1.0s rt=1');
    expect(b).toBe('bb : ok=0  changed=0 unreachable=0 failed=0 skipped=0  rolled_back=- 1.0s rt=10');
  });

  it('says when nothing was changed because of check mode', () => {
    expect(renderRecap(sampleSummary({ check: true }), false)).toContain('(check mode: nothing was changed)');
    expect(renderRecap(sampleSummary(), false)).not.toContain('check mode');
  });

  it('says which hosts finished, rolled back and were not started when interrupted', () => {
    const hosts: HostResult[] = [
      {
        host: 'lb1',
        status: 'changed',
        tasks: [task({ task: 't', status: 'changed' })],
        durationMs: 1,
        roundTrips: 1,
      },
      {
        host: 'lb2',
        status: 'failed',
        tasks: [],
        durationMs: 1,
        roundTrips: 1,
        rolledBack: true,
        error: 'interrupted',
      },
      { host: 'lb3', status: 'skipped', tasks: [], durationMs: 0, roundTrips: 0 },
      { host: 'lb4', status: 'skipped', tasks: [], durationMs: 0, roundTrips: 0 },
    ];
    const text = renderRecap(sampleSummary({ hosts, interrupted: true }), false);
    expect(text).toContain('Interrupted: finished: lb1; rolled back: lb2; not started: lb3, lb4\n');
  });

  it('names hosts that stopped without a rollback when interrupted', () => {
    const hosts: HostResult[] = [
      { host: 'lb1', status: 'failed', tasks: [], durationMs: 1, roundTrips: 1, rolledBack: false },
    ];
    const text = renderRecap(sampleSummary({ hosts, interrupted: true }), false);
    expect(text).toContain(
      'Interrupted: finished: none; rolled back: none; not started: none; failed or unreachable: lb1',
    );
    expect(text).toContain('rolled_back=no');
  });

  it('colours host lines by status when asked', () => {
    const text = renderRecap(sampleSummary(), true);
    expect(text).toContain('\u001b[33mlb1 ');
    expect(text).toContain('\u001b[31mlb2-long-name ');
    expect(text).toContain('\u001b[35mlb3 ');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0.0s'],
    [349, '0.3s'],
    [4100, '4.1s'],
    [59_940, '59.9s'],
    [125_000, '2m 05s'],
    [3_720_000, '1h 02m'],
    [-5, '0.0s'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
