import { randomBytes } from 'node:crypto';
import { parseTransactionResult, transactionScript, type TransactionResult } from '../remote/index.js';
import type { HostSession } from './host-session.js';
import { REMOTE_STATE_DIR } from './run-options.js';
import type { TransactionOutcome } from './types.js';

export interface CommitOutcome {
  result: TransactionResult;
  /** What the host reported, as data (for the task result, the recap and JSON). */
  outcome: TransactionOutcome;
  /** Human text: what happened, with nginx's own error lines on failure. */
  message: string;
}

export function newRunId(): string {
  return `${new Date()
    .toISOString()
    .replace(/[-:T.Z]/g, '')
    .slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Makes the staged files live in one transaction on the host: stage, nginx -t on the candidate,
 * snapshot, swap, nginx -t, reload and confirm; anything failing restores the previous files and
 * running configuration. `reload` asks for the reload even when no file changed (a pending one).
 */
export async function commitStaged(session: HostSession, reload: boolean): Promise<CommitOutcome> {
  const { staged, facts } = session;
  const nginx = facts.nginx;
  const spec = {
    runId: newRunId(),
    stateDir: REMOTE_STATE_DIR,
    confPrefix: session.confPrefix,
    confPath: nginx?.confPath ?? `${session.confPrefix}/nginx.conf`,
    // The script wants an absolute path; without nginx it neither validates nor reloads.
    nginxBinary: nginx?.binary ?? '/usr/sbin/nginx',
    serviceManager: facts.serviceManager,
    files: staged.fileSpecs(),
    directories: [...staged.directories.values()],
    deletes: [...staged.deletes.entries()].map(([path, expected]) => ({ path, expected })),
    records: {
      managers: [...session.manages.keys()].sort(),
      files: [...session.manages].flatMap(([manager, files]) =>
        [...files]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([path, sha256]) => {
            const note = session.recordNotes.get(path);
            return { manager, path, ...(sha256 ? { sha256, ...(note ? { note } : {}) } : {}) };
          }),
      ),
    },
    reload: reload && nginx !== undefined,
    validate: nginx !== undefined,
    snapshotsToKeep: session.options.snapshotsToKeep,
    lockWaitSeconds: 120,
    // The host takes it while the binary is the one the facts saw: no nginx -V of its own.
    ...(nginx?.versionSeen ? { nginxSeen: nginx.versionSeen } : {}),
  };
  const out = await session.runDetached(
    transactionScript(spec),
    `transaction ${spec.runId} was running; the host completes it or rolls it back by itself (it ignores the hang-up), and the next run picks up the outcome`,
  );
  const result = parseTransactionResult(out.stdout, out.stderr);
  staged.clear();
  if (result.status === 'committed' || result.status === 'unchanged') {
    session.pendingReload = false;
    // The host now holds these records: the next flush writes them only if they change again.
    const state = session.facts.state;
    for (const [manager, files] of session.manages) {
      state.records[manager] = [...files.keys()];
      for (const [path, sha] of files) {
        const note = sha ? session.recordNotes.get(path) : undefined;
        if (sha) state.recordedSha[path] = sha;
        else delete state.recordedSha[path];
        if (note) state.recordedNote[path] = note;
        else delete state.recordedNote[path];
      }
    }
    state.legacyRecords = state.legacyRecords.filter(
      (p) => ![...session.manages.values()].some((m) => m.has(p)),
    );
    state.legacyFile = false;
  }
  const outcome: TransactionOutcome = {
    status: result.status,
    rolledBack: result.rolledBack,
    reloaded: result.reloaded,
    started: result.started,
    removed: result.removed,
    ...(result.snapshotId ? { snapshot: result.snapshotId } : {}),
  };
  return { result, outcome, message: describe(result, out.code) };
}

function describe(result: TransactionResult, code: number): string {
  const nginxLines = result.nginxOutput?.trim();
  switch (result.status) {
    case 'committed':
      if (result.started) return 'configuration validated; nginx started with it';
      return result.reloaded
        ? 'configuration validated, live, nginx reloaded and confirmed'
        : 'files live (nginx -t passed)';
    case 'unchanged':
      return 'nothing to change';
    case 'validate_failed':
      return `nginx -t refused the candidate configuration; nothing was changed on the host:\n${nginxLines ?? ''}`;
    case 'reload_failed':
      return `nginx did not accept the new configuration on reload; ${
        result.rolledBack
          ? 'the previous files were restored and nginx serves the previous configuration'
          : 'ROLLBACK FAILED'
      }:\n${nginxLines ?? ''}`;
    case 'conflict':
      return `files changed on the host since they were read (${result.conflicts.join(', ')}); nothing was changed: run again`;
    case 'locked':
      return 'another apply holds the lock on this host; nothing was changed: run again when it has finished';
    case 'error': {
      const detail = [...result.messages, nginxLines ?? ''].join('\n').trim();
      // A swap that failed half-way (disk full, read-only folder) put the previous files back.
      const restored = result.rolledBack
        ? '; the previous files were restored and nginx, never reloaded, serves the previous configuration'
        : '';
      return `the transaction failed (exit ${code})${restored}: ${detail}`;
    }
  }
}
