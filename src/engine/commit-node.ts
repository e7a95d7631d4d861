import {
  nodeTransactionScript,
  parseNodeTransactionResult,
  type NodeRestart,
  type NodeTransactionResult,
  type NodeTransactionSpec,
} from '../remote/index.js';
import { newRunId } from './commit-staged.js';
import type { HostSession } from './host-session.js';
import { failedOutcome, type TaskOutcome } from './task-outcome.js';
import type { Change, TransactionOutcome } from './types.js';

/** Long enough for another run's restart on this node to finish (a restart holds the node's lock). */
const LOCK_WAIT_MARGIN_SECONDS = 120;

function spec(session: HostSession, restart: NodeRestart | undefined): NodeTransactionSpec | string {
  const { staged } = session;
  if (staged.deletes.size > 0) {
    return `retiring files (${[...staged.deletes.keys()].join(', ')}) is not done on API-M nodes: remove them by hand`;
  }
  const keystores = [...staged.keystores.values()];
  const first = keystores[0]?.entry;
  if (
    keystores.some(
      (k) => k.entry.keytool !== first?.keytool || k.entry.password.reveal() !== first.password.reveal(),
    )
  ) {
    return 'keystore entries with different keytools or passwords cannot share one transaction';
  }
  return {
    runId: newRunId(),
    stateDir: session.kind.stateDir,
    files: staged.fileSpecs(),
    directories: [...staged.directories.values()],
    keystores: keystores.map((k) => ({
      path: k.entry.path,
      alias: k.entry.alias,
      storeType: k.entry.storeType,
      certificatePem: k.entry.certificatePem,
      mode: k.mode,
      owner: k.owner,
      group: k.group,
      expected: k.expected,
    })),
    ...(first ? { keytool: first.keytool, storePassword: first.password } : {}),
    ...(restart ? { restart } : {}),
    snapshotsToKeep: session.options.snapshotsToKeep,
    lockWaitSeconds: LOCK_WAIT_MARGIN_SECONDS + 2 * (restart?.timeoutSeconds ?? 0),
  };
}

function describe(result: NodeTransactionResult, code: number): string {
  switch (result.status) {
    case 'committed':
      if (result.restarted) return 'files live; API-M restarted and answering';
      if (result.notRunning) return 'files live; API-M is not running, so nothing was restarted';
      return 'files live (no restart asked for)';
    case 'unchanged':
      return 'nothing to change';
    case 'restart_failed': {
      const why = [result.restartOutput, result.nodeLog ? `wso2carbon.log:\n${result.nodeLog}` : undefined]
        .filter(Boolean)
        .join('\n');
      const after = result.recovered
        ? 'the previous files were restored and API-M restarted with them: it answers again'
        : result.rolledBack
          ? `the previous files were restored, but API-M did not come back with them either: THE NODE IS DOWN (${result.recoverOutput ?? 'no detail'})`
          : `RESTORING THE PREVIOUS FILES FAILED (${result.recoverOutput ?? 'no detail'})`;
      return `API-M did not come back healthy after the restart; ${after}:\n${why}`;
    }
    case 'conflict':
      return `files changed on the node since they were read (${result.conflicts.join(', ')}); nothing was changed: run again`;
    case 'locked':
      return 'another apply holds the lock on this node; nothing was changed: run again when it has finished';
    case 'error':
      return `the node transaction failed (exit ${code}): ${result.messages.join('\n').trim()}`;
  }
}

/**
 * Makes the staged node files (and truststore entries) live in one transaction on the node and,
 * with `restart`, restarts API-M and waits until it answers; a node that does not come back gets
 * its previous files and is restarted with them. What happened comes from the node, as data.
 */
export async function commitNode(session: HostSession, restart?: NodeRestart): Promise<TaskOutcome> {
  const s = spec(session, restart);
  if (typeof s === 'string') return failedOutcome(s);
  const out = await session.runDetached(
    nodeTransactionScript(s),
    `node transaction ${s.runId} was running; the node completes it or restores its files by itself (it ignores the hang-up), and the next run restarts it if a restart is still owed`,
  );
  const result = parseNodeTransactionResult(out.stdout, out.stderr);
  session.staged.clear();
  const message = describe(result, out.code);
  const transaction: TransactionOutcome = {
    status: result.status,
    rolledBack: result.rolledBack,
    reloaded: false,
    started: false,
    removed: [],
    ...(result.snapshotId ? { snapshot: result.snapshotId } : {}),
    restarted: result.restarted,
    recovered: result.recovered,
  };
  if (result.status !== 'committed' && result.status !== 'unchanged') {
    return { ...failedOutcome(message), transaction };
  }
  session.pendingReload = false;
  const changes: Change[] = result.restarted
    ? [{ kind: 'service', action: 'restart', target: restart?.carbonHome ?? 'API-M', summary: message }]
    : [];
  const warnings = result.notRunning
    ? [
        'API-M was not running: its new settings apply when it is started (the tool does not start a stopped node)',
      ]
    : [];
  return {
    status: changes.length > 0 ? 'changed' : 'ok',
    changes,
    warnings,
    message,
    transaction,
  };
}
