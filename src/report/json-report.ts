import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Change, HostResult, HostStatus, RunSummary, TaskResult, TaskStatus } from '../engine/types.js';
import { addCounts, countsFor, emptyCounts, type StatusCounts } from './host-counts.js';
import type { Redactor } from './redactor.js';
import { jsonText } from './sanitise.js';

/** Bumped on any incompatible change of the shape below, so scripts can check what they read. */
export const JSON_REPORT_VERSION = 1;

export interface JsonCertificate {
  subject: string;
  issuer: string;
  sans: string[];
  not_before: string;
  not_after: string;
  fingerprint_sha256: string;
}

export interface JsonChange {
  kind: Change['kind'];
  action: Change['action'];
  target: string;
  summary: string;
  /** Present for text files with a diff; never for secret content. */
  diff?: string;
  /** Present for certificate files, instead of a diff. */
  certificate?: JsonCertificate;
  /** Present (true) when the content is secret: no diff, no content. */
  secret?: true;
}

export interface JsonTask {
  task: string;
  module: string;
  status: TaskStatus;
  duration_ms: number;
  message: string | null;
  warnings: string[];
  changes: JsonChange[];
  /** A load balancer's configuration task: the nginx it was written for. */
  nginx?: { edition: string; version: string; version_known: boolean; sticky: string | null };
}

export interface JsonHost {
  host: string;
  status: HostStatus;
  duration_ms: number;
  round_trips: number;
  /** null when no rollback was attempted. */
  rolled_back: boolean | null;
  error: string | null;
  counts: StatusCounts;
  tasks: JsonTask[];
}

export interface JsonReport {
  version: number;
  command: RunSummary['command'];
  check: boolean;
  started_at: string;
  duration_ms: number;
  interrupted: boolean;
  hosts: JsonHost[];
  totals: StatusCounts & { hosts: number; rolled_back: number };
  warnings: string[];
}

function jsonChange(change: Change): JsonChange {
  const out: JsonChange = {
    kind: change.kind,
    action: change.action,
    target: change.target,
    summary: change.summary,
  };
  if (change.secret) {
    out.secret = true;
    return out;
  }
  if (change.diff !== undefined) out.diff = change.diff;
  if (change.certificate) {
    const c = change.certificate;
    out.certificate = {
      subject: c.subject,
      issuer: c.issuer,
      sans: [...c.sans],
      not_before: c.notBefore,
      not_after: c.notAfter,
      fingerprint_sha256: c.fingerprintSha256,
    };
  }
  return out;
}

function jsonTask(task: TaskResult): JsonTask {
  return {
    task: task.task,
    module: task.module,
    status: task.status,
    duration_ms: task.durationMs,
    message: task.message ?? null,
    warnings: [...task.warnings],
    changes: task.changes.map(jsonChange),
    ...(task.nginx
      ? {
          nginx: {
            edition: task.nginx.decision.edition,
            version: task.nginx.version,
            version_known: task.nginx.versionKnown,
            sticky: task.nginx.decision.sticky ?? null,
          },
        }
      : {}),
  };
}

function jsonHost(host: HostResult): JsonHost {
  return {
    host: host.host,
    status: host.status,
    duration_ms: host.durationMs,
    round_trips: host.roundTrips,
    rolled_back: host.rolledBack ?? null,
    error: host.error ?? null,
    counts: countsFor(host),
    tasks: host.tasks.map(jsonTask),
  };
}

/** The machine-readable report (`--json`), with every string passed through the redactor. */
export function toJsonReport(summary: RunSummary, redactor: Redactor): JsonReport {
  const totals = summary.hosts.map(countsFor).reduce(addCounts, emptyCounts());
  const report: JsonReport = {
    version: JSON_REPORT_VERSION,
    command: summary.command,
    check: summary.check,
    started_at: summary.startedAt,
    duration_ms: summary.durationMs,
    interrupted: summary.interrupted,
    hosts: summary.hosts.map(jsonHost),
    totals: {
      hosts: summary.hosts.length,
      ...totals,
      rolled_back: summary.hosts.filter((h) => h.rolledBack === true).length,
    },
    warnings: [...summary.warnings],
  };
  return redactor.scrubDeep(report);
}

/** Writes the JSON report to `file`, or to `stdout` when `file` is `-`. */
export async function writeJsonReport(
  file: string,
  summary: RunSummary,
  redactor: Redactor,
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const text = `${jsonText(toJsonReport(summary, redactor))}\n`;
  if (file === '-') {
    await new Promise<void>((resolve, reject) => {
      stdout.write(text, (err) => (err ? reject(err) : resolve()));
    });
    return;
  }
  // Whole or not at all: a reader (or a second Ctrl-C's report racing the last one) never sees half.
  // A name of its own per write (two writes can start in the same millisecond), created exclusively.
  const partial = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.partial`;
  try {
    await writeFile(partial, text, { encoding: 'utf8', mode: 0o644, flag: 'wx' });
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
