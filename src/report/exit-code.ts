import type { RunSummary } from '../engine/types.js';
import { countsFor } from './host-counts.js';

/** Process exit codes (docs/architecture.md, README). 1, 4, 5 and 130 are decided by the CLI. */
export const EXIT = {
  OK: 0,
  UNEXPECTED: 1,
  HOST_FAILED: 2,
  UNREACHABLE: 3,
  INVALID_INPUT: 4,
  USAGE: 5,
  CHANGES_PENDING: 6,
  /** Ctrl-C: 128 + SIGINT, as shells report a process the signal ended. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Exit code for a finished run: a failure outranks unreachable hosts (Ansible documents 3 for
 * unreachable but returns 4; we return 3), and only a clean `--check --detailed-exitcode` run
 * reports pending changes.
 */
export function exitCodeFor(
  summary: RunSummary,
  options: { check: boolean; detailedExitcode: boolean },
): number {
  // An interrupted run says so first: its hosts' outcomes are partial by definition.
  if (summary.interrupted) return EXIT.INTERRUPTED;
  const counts = summary.hosts.map(countsFor);
  if (summary.hosts.some((h) => h.status === 'failed') || counts.some((c) => c.failed > 0))
    return EXIT.HOST_FAILED;
  if (summary.hosts.some((h) => h.status === 'unreachable') || counts.some((c) => c.unreachable > 0)) {
    return EXIT.UNREACHABLE;
  }
  const pending = summary.hosts.some((h) => h.status === 'changed') || counts.some((c) => c.changed > 0);
  if (options.check && options.detailedExitcode && pending) return EXIT.CHANGES_PENDING;
  return EXIT.OK;
}
