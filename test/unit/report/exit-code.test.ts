import { describe, expect, it } from 'vitest';
import type { HostResult, HostStatus, RunSummary } from '../../../src/engine/types.js';
import { EXIT, exitCodeFor } from '../../../src/report/exit-code.js';

function summary(statuses: HostStatus[]): RunSummary {
  const hosts: HostResult[] = statuses.map((status, i) => ({
    host: `lb${i + 1}`,
    status,
    tasks: [],
    durationMs: 1,
    roundTrips: 1,
  }));
  return {
    command: 'apply',
    check: false,
    startedAt: '',
    durationMs: 1,
    hosts,
    interrupted: false,
    warnings: [],
  };
}

describe('exitCodeFor', () => {
  const cases: [HostStatus[], { check: boolean; detailedExitcode: boolean }, number][] = [
    [['ok', 'ok'], { check: false, detailedExitcode: false }, EXIT.OK],
    [['changed', 'ok'], { check: false, detailedExitcode: false }, EXIT.OK],
    [['changed', 'ok'], { check: false, detailedExitcode: true }, EXIT.OK],
    [['changed', 'ok'], { check: true, detailedExitcode: false }, EXIT.OK],
    [['changed', 'ok'], { check: true, detailedExitcode: true }, EXIT.CHANGES_PENDING],
    [['ok', 'not_started'], { check: true, detailedExitcode: true }, EXIT.OK],
    [['failed', 'ok'], { check: false, detailedExitcode: false }, EXIT.HOST_FAILED],
    [['unreachable', 'ok'], { check: false, detailedExitcode: false }, EXIT.UNREACHABLE],
    [['unreachable', 'failed'], { check: false, detailedExitcode: false }, EXIT.HOST_FAILED],
    [['unreachable', 'changed'], { check: true, detailedExitcode: true }, EXIT.UNREACHABLE],
    [['failed', 'changed'], { check: true, detailedExitcode: true }, EXIT.HOST_FAILED],
    [[], { check: true, detailedExitcode: true }, EXIT.OK],
  ];
  it.each(cases)('%j with %j -> %i', (statuses, options, code) => {
    expect(exitCodeFor(summary(statuses), options)).toBe(code);
  });

  it('has the documented constants', () => {
    expect(EXIT).toEqual({
      OK: 0,
      UNEXPECTED: 1,
      HOST_FAILED: 2,
      UNREACHABLE: 3,
      INVALID_INPUT: 4,
      USAGE: 5,
      CHANGES_PENDING: 6,
      INTERRUPTED: 130,
    });
  });

  it('says an interrupted run was interrupted (130), whatever its hosts did', () => {
    for (const statuses of [['ok'], ['failed', 'changed'], ['unreachable']] as HostStatus[][])
      expect(
        exitCodeFor({ ...summary(statuses), interrupted: true }, { check: true, detailedExitcode: true }),
      ).toBe(EXIT.INTERRUPTED);
  });
});
