import type { HostResult, TaskStatus } from '../engine/types.js';

/** Per-host task counts as in Ansible's recap. */
export type StatusCounts = Record<TaskStatus, number>;

export const STATUS_ORDER: readonly TaskStatus[] = ['ok', 'changed', 'unreachable', 'failed', 'skipped'];

export function emptyCounts(): StatusCounts {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0 };
}

/**
 * Counts a host's task results as Ansible's recap does: `ok` counts every task that ran without
 * failing, changed ones included (a first run shows ok=4 changed=4). A host that failed or was
 * unreachable before any task reported that status (e.g. the connection was refused) still counts
 * once, as Ansible shows `unreachable=1`.
 */
export function countsFor(host: HostResult): StatusCounts {
  const counts = emptyCounts();
  for (const t of host.tasks) {
    counts[t.status] += 1;
    if (t.status === 'changed') counts.ok += 1;
  }
  if (host.status === 'unreachable' && counts.unreachable === 0) counts.unreachable = 1;
  if (host.status === 'failed' && counts.failed === 0) counts.failed = 1;
  return counts;
}

export function addCounts(a: StatusCounts, b: StatusCounts): StatusCounts {
  const sum = emptyCounts();
  for (const k of STATUS_ORDER) sum[k] = a[k] + b[k];
  return sum;
}

/**
 * Convention shared with the engine: a host that was never started (run interrupted, or stopped by
 * `max_fail_percentage`) appears in the summary with status `skipped` and no task results.
 */
export function wasNotStarted(host: HostResult): boolean {
  return host.status === 'skipped' && host.tasks.length === 0;
}
