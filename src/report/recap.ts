import type { HostResult, HostStatus, RunSummary } from '../engine/types.js';
import { paint, type Style } from './ansi.js';
import { formatDuration } from './duration.js';
import {
  addCounts,
  countsFor,
  emptyCounts,
  STATUS_ORDER,
  wasNotStarted,
  type StatusCounts,
} from './host-counts.js';

const HOST_STYLE: Record<HostStatus, Style> = {
  ok: 'green',
  changed: 'yellow',
  failed: 'red',
  unreachable: 'magenta',
  not_started: 'dim',
};

function rolledBackText(host: HostResult): string {
  if (host.rolledBack === undefined) return '-';
  return host.rolledBack ? 'yes' : 'no';
}

/** Pads every column to its widest cell so hosts line up as in Ansible's recap. */
function alignRows(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join(' ')
      .trimEnd(),
  );
}

function countCells(counts: StatusCounts): string[] {
  return STATUS_ORDER.map((k) => `${k}=${counts[k]}`);
}

/**
 * `PLAY RECAP`: one aligned line per host (counts, rollback outcome, time, SSH round trips), then
 * the totals and wall time, check mode, and for an interrupted run where each host stands.
 */
export function renderRecap(summary: RunSummary, color: boolean): string {
  const rows = summary.hosts.map((h) => [
    h.host,
    ':',
    ...countCells(countsFor(h)),
    ` rolled_back=${rolledBackText(h)}`,
    formatDuration(h.durationMs),
    `rt=${h.roundTrips}`,
    // Why nothing was done on it (interrupted, rollout stopped): not a green "skipped".
    ...(wasNotStarted(h) ? [h.error ?? 'not started'] : []),
  ]);
  const aligned = alignRows(rows).map((line, i) => {
    const host = summary.hosts[i];
    return host ? paint(HOST_STYLE[host.status], line, color) : line;
  });

  const totals = summary.hosts.map(countsFor).reduce(addCounts, emptyCounts());
  const rolledBack = summary.hosts.filter((h) => h.rolledBack === true).length;
  const roundTrips = summary.hosts.reduce((n, h) => n + h.roundTrips, 0);
  const hostWord = summary.hosts.length === 1 ? 'host' : 'hosts';
  const lines = [
    paint('bold', 'PLAY RECAP', color),
    ...aligned,
    '',
    `${summary.hosts.length} ${hostWord}: ${countCells(totals).join(' ')} rolled_back=${rolledBack} ` +
      `rt=${roundTrips} in ${formatDuration(summary.durationMs)}`,
  ];
  if (summary.check) lines.push(paint('cyan', '(check mode: nothing was changed)', color));
  if (summary.interrupted) lines.push(paint('yellow', interruptedLine(summary.hosts), color));
  return lines.join('\n') + '\n';
}

function interruptedLine(hosts: HostResult[]): string {
  const names = (pick: (h: HostResult) => boolean) =>
    hosts
      .filter(pick)
      .map((h) => h.host)
      .join(', ') || 'none';
  const finished = (h: HostResult) => h.status === 'ok' || h.status === 'changed';
  const stopped = (h: HostResult) =>
    (h.status === 'failed' || h.status === 'unreachable') && h.rolledBack !== true;
  const parts = [
    `finished: ${names(finished)}`,
    `rolled back: ${names((h) => h.rolledBack === true)}`,
    `not started: ${names(wasNotStarted)}`,
  ];
  if (hosts.some(stopped)) parts.push(`failed or unreachable: ${names(stopped)}`);
  return `Interrupted: ${parts.join('; ')}`;
}
