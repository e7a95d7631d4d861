import type { Host, Inventory } from '../domain/types.js';
import { selectHosts } from '../inventory/select-hosts.js';
import { createHash } from 'node:crypto';
import { apimQueries, moduleNamed, nodeQueries } from '../modules/index.js';
import type { Play, Playbook } from '../playbook/index.js';
import {
  ConnectionPool,
  UnreachableError,
  type ConnectOptions,
  type HostConnection,
} from '../transport/index.js';
import { BecomeError, ConnectAborted, HostKeyError } from '../transport/types.js';
import { batches, mapWithLimit } from './batches.js';
import { gatherFacts } from './gather-facts.js';
import { ExclusiveKeys } from './exclusive-keys.js';
import { HostSession, type SessionKind } from './host-session.js';
import { LocalCaStore } from './local-ca.js';
import { runPlayOnHost } from './run-play-on-host.js';
import { REMOTE_STATE_DIR, type RunOptions } from './run-options.js';
import type { HostResult, HostStatus, RunObserver, RunSummary, TaskResult } from './types.js';

interface HostState {
  result: HostResult;
  started: number;
  finished: boolean;
}

const NOT_STARTED = {
  interrupted: 'not started: the run was interrupted (Ctrl-C) before this host was reached',
  stopped:
    'not started: the rollout stopped after a failed batch (serial / max_fail_percentage / any_errors_fatal)',
  quit: 'quit (second Ctrl-C) while this host was being worked on: its transaction completes or rolls back on the host by itself; run apply --check to see where it stands',
} as const;

/**
 * Runs every play on its hosts: `forks` hosts at once, in `serial` batches, each host over one
 * SSH connection for the whole run. One host failing never stops the others, except that with
 * `serial` (or `max_fail_percentage`) a failing batch stops the rollout before the next batch.
 */
export async function runPlaybook(
  inventory: Inventory,
  playbook: Playbook,
  options: RunOptions,
  observer: RunObserver,
  connectOptions: ConnectOptions,
  command: RunSummary['command'] = 'apply',
): Promise<RunSummary> {
  const startedAt = new Date();
  const pool = new ConnectionPool({ ...connectOptions, signal: options.signal });
  const states = new Map<string, HostState>();
  const localCa = new LocalCaStore(options.pkiDir);
  const exclusive = new ExclusiveKeys();
  const plays = playbook.plays.map((play) => ({ play, hosts: hostsFor(inventory, play, options) }));
  const allHosts = [...new Set(plays.flatMap((p) => p.hosts.map((h) => h.name)))];
  observer.runStarted(allHosts, {
    check: options.check,
    diff: options.diff,
    plays: plays.map((p) => p.play.name),
  });
  let stopped = false;
  const summaryOf = (hosts: HostResult[]): RunSummary => ({
    command,
    check: options.check,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    hosts,
    interrupted: options.signal.aborted,
    warnings: [
      ...(stopped
        ? [
            'the rollout stopped after a failed batch (serial / max_fail_percentage): later hosts were not changed',
          ]
        : []),
      ...nodesLeftAloneWarnings(inventory, playbook),
    ],
  });
  const reason = () => (options.signal.aborted ? NOT_STARTED.interrupted : NOT_STARTED.stopped);
  options.onProgress?.(() =>
    summaryOf(
      allHosts.map((name) => inFlightAsQuit(finish(name, states.get(name), reason()), states.get(name))),
    ),
  );
  try {
    for (const { play, hosts } of plays) {
      if (stopped || options.signal.aborted) break;
      observer.playStarted?.(
        play.name,
        hosts.map((h) => h.name),
      );
      const serial = play.serial ?? options.serial;
      const maxFail =
        play.maxFailPercentage ?? options.maxFailPercentage ?? (serial !== undefined ? 0 : undefined);
      for (const batch of batches(hosts, serial)) {
        if (stopped || options.signal.aborted) break;
        const outcomes = await mapWithLimit(batch, options.forks, (host) =>
          runHost(host, play, { inventory, options, observer, pool, states, localCa, exclusive }),
        );
        const bad = outcomes.filter((s) => s === 'failed' || s === 'unreachable').length;
        if (play.anyErrorsFatal && bad > 0) stopped = true;
        if (maxFail !== undefined && (bad * 100) / batch.length > maxFail) stopped = true;
      }
    }
  } finally {
    const trips = await pool.roundTrips();
    await pool.closeAll();
    for (const [name, state] of states) state.result.roundTrips = trips.get(name) ?? state.result.roundTrips;
  }
  const results = allHosts.map((name) => finish(name, states.get(name), reason()));
  for (const r of results) if (!states.has(r.host)) observer.hostFinished(r);
  const summary = summaryOf(results);
  await observer.runFinished(summary);
  return summary;
}

function hostsFor(inventory: Inventory, play: Play, options: RunOptions): Host[] {
  const all = [...inventory.hosts.values()];
  const inPlay = selectHosts(inventory, play.hosts.split(/[,:]/).filter(Boolean), all);
  return options.limit?.length ? selectHosts(inventory, options.limit, inPlay) : inPlay;
}

/** A host that never started (interrupted, or stopped by a failed batch) says so, with the reason. */
function finish(name: string, state: HostState | undefined, reason: string): HostResult {
  if (state) return state.result;
  return { host: name, status: 'not_started', tasks: [], durationMs: 0, roundTrips: 0, error: reason };
}

/** For a report written on a second Ctrl-C: a host still being worked on is not "ok". */
function inFlightAsQuit(result: HostResult, state: HostState | undefined): HostResult {
  if (!state || state.finished) return result;
  return { ...result, tasks: [...result.tasks], status: 'failed', error: NOT_STARTED.quit };
}

/** What every host of one run shares. */
interface RunContext {
  inventory: Inventory;
  options: RunOptions;
  observer: RunObserver;
  pool: ConnectionPool;
  states: Map<string, HostState>;
  localCa: LocalCaStore;
  exclusive: ExclusiveKeys;
}

/** With a node play: which API-M nodes it leaves alone and why (one line each). */
function nodesLeftAloneWarnings(inventory: Inventory, playbook: Playbook): string[] {
  if (!playbook.plays.some(playConfiguresNodes)) return [];
  return inventory.nodesLeftAlone.map((n) => `API-M node ${n.name} left alone: ${n.reason}`);
}

/** A play that uses an API-M node module runs its hosts as API-M nodes. */
function playConfiguresNodes(play: Play): boolean {
  return [...play.tasks, ...play.handlers].some((t) => moduleNamed(t.module).transaction === 'apim-node');
}

/**
 * An API-M node's own state folder: nodes that share a machine (port offsets) keep their locks,
 * snapshots and pending restarts apart, and apart from a load balancer's.
 */
export function nodeStateDir(host: string): string {
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(host)
    ? host
    : `h-${createHash('sha256').update(host).digest('hex').slice(0, 16)}`;
  return `${REMOTE_STATE_DIR}/nodes/${safe}`;
}

async function runHost(host: Host, play: Play, run: RunContext): Promise<HostStatus> {
  const { inventory, options, observer, pool, states } = run;
  let state = states.get(host.name);
  if (state && (state.result.status === 'failed' || state.result.status === 'unreachable'))
    return state.result.status;
  if (options.signal.aborted) return 'not_started';
  if (!state) {
    state = {
      started: Date.now(),
      finished: false,
      result: { host: host.name, status: 'ok', tasks: [], durationMs: 0, roundTrips: 0 },
    };
    states.set(host.name, state);
    observer.hostStarted(host.name);
  }
  const result = state.result;
  const connection = options.becomePassword
    ? { ...host.connection, becomePassword: options.becomePassword }
    : host.connection;
  let conn: HostConnection;
  try {
    conn = await pool.get({ name: host.name, connection });
  } catch (err) {
    if (err instanceof ConnectAborted)
      return done(state, observer, 'not_started', new Error(`not started: ${err.message}`));
    return done(
      state,
      observer,
      err instanceof UnreachableError || err instanceof HostKeyError ? 'unreachable' : 'failed',
      err,
    );
  }
  try {
    const lb = inventory.loadBalancers.find((l) => l.host.name === host.name);
    const apimNode = inventory.apimNodes.find((n) => n.host.name === host.name);
    const kind: SessionKind = playConfiguresNodes(play)
      ? {
          transaction: 'apim-node',
          stateDir: nodeStateDir(host.name),
          ...(apimNode ? { apimNode } : {}),
          exclusive: run.exclusive,
        }
      : { transaction: 'nginx', stateDir: REMOTE_STATE_DIR, exclusive: run.exclusive };
    const queries =
      kind.transaction === 'apim-node'
        ? nodeQueries(apimNode)
        : lb
          ? apimQueries(lb, { diff: options.diff })
          : [];
    const facts = await gatherFacts(conn, queries, host.connection.become, !options.check, kind.stateDir);
    const session = new HostSession(host, inventory, lb, conn, facts, options, run.localCa, kind);
    const outcome = await runPlayOnHost(play, session, observer);
    result.tasks.push(...outcome.tasks);
    const status = outcome.failed ? 'failed' : summarise(result.tasks);
    const failedTask = outcome.tasks.find((t) => t.status === 'failed');
    const rolledBack = rolledBackOf(failedTask);
    if (rolledBack !== undefined) result.rolledBack = rolledBack;
    return done(
      state,
      observer,
      status,
      failedTask ? new Error(`${failedTask.task}: ${failedTask.message ?? ''}`) : undefined,
    );
  } catch (err) {
    const status =
      err instanceof BecomeError ? 'failed' : err instanceof UnreachableError ? 'unreachable' : 'failed';
    return done(state, observer, status, err);
  }
}

/**
 * From the failed transaction's own report: a failed reload always tries to roll back (true or
 * false); any other failure says so only when it put the previous files back. A failure before
 * anything was swapped (nginx -t refused the candidate, a conflict, a lost connection) leaves it
 * unknown rather than "rollback failed".
 */
function rolledBackOf(task: TaskResult | undefined): boolean | undefined {
  const t = task?.transaction;
  if (!t) return undefined;
  if (t.status === 'reload_failed') return t.rolledBack;
  return t.rolledBack ? true : undefined;
}

function summarise(tasks: TaskResult[]): HostStatus {
  return tasks.some((t) => t.status === 'changed') ? 'changed' : 'ok';
}

function done(state: HostState, observer: RunObserver, status: HostStatus, err?: unknown): HostStatus {
  const r = state.result;
  state.finished = true;
  r.status = status;
  r.durationMs = Date.now() - state.started;
  if (err) r.error = err instanceof Error ? err.message : JSON.stringify(err);
  observer.hostFinished(r);
  return status;
}
