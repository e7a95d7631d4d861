import type { Inventory } from '../domain/types.js';
import { selectHosts } from '../inventory/select-hosts.js';
import { parseRollbackResult, rollbackScript, type RollbackResult } from '../remote/index.js';
import { ConnectionPool, UnreachableError, type ConnectOptions } from '../transport/index.js';
import { HostKeyError } from '../transport/types.js';
import { mapWithLimit } from './batches.js';
import { gatherFacts } from './gather-facts.js';
import { runScript } from './remote-run.js';
import { REMOTE_STATE_DIR, DEFAULT_CONF_PREFIX } from './run-options.js';
import type { HostResult, RunObserver, RunSummary, TaskResult } from './types.js';

const TASK = 'Restore the last good configuration';

export interface RollbackOptions {
  limit?: string[];
  forks: number;
  snapshotId?: string;
}

/** `apim-provision rollback`: on each load balancer, the newest snapshot back, validated, reloaded. */
export async function rollbackHosts(
  inventory: Inventory,
  options: RollbackOptions,
  observer: RunObserver,
  connectOptions: ConnectOptions,
): Promise<RunSummary> {
  const started = new Date();
  const lbHosts = inventory.loadBalancers.map((lb) => lb.host);
  const hosts = options.limit?.length ? selectHosts(inventory, options.limit, lbHosts) : lbHosts;
  const pool = new ConnectionPool(connectOptions);
  observer.runStarted(
    hosts.map((h) => h.name),
    { check: false, diff: false },
  );
  const results = await mapWithLimit(hosts, options.forks, async (host): Promise<HostResult> => {
    const t0 = Date.now();
    observer.hostStarted(host.name);
    const finish = (status: HostResult['status'], task?: TaskResult, error?: string): HostResult => {
      const r: HostResult = {
        host: host.name,
        status,
        tasks: task ? [task] : [],
        durationMs: Date.now() - t0,
        roundTrips: 0,
        ...(error ? { error } : {}),
      };
      observer.hostFinished(r);
      return r;
    };
    try {
      const conn = await pool.get({ name: host.name, connection: host.connection });
      const facts = await gatherFacts(conn, [], host.connection.become);
      observer.taskStarted(host.name, TASK);
      if (!facts.nginx) return finish('failed', undefined, 'nginx is not installed: nothing to roll back');
      const confPath = facts.nginx.confPath;
      const script = rollbackScript({
        stateDir: REMOTE_STATE_DIR,
        confPrefix: confPath ? confPath.replace(/\/[^/]+$/, '') : DEFAULT_CONF_PREFIX,
        confPath,
        nginxBinary: facts.nginx.binary,
        serviceManager: facts.serviceManager,
        ...(options.snapshotId ? { snapshotId: options.snapshotId } : {}),
      });
      const out = await runScript(conn, script, host.connection.become);
      const result = parseRollbackResult(out.stdout, out.stderr);
      const ok = result.status === 'rolled_back';
      const message = describeRollback(result);
      const summary = `restored snapshot(s) ${result.restoredSnapshots.join(', ')}`;
      const task: TaskResult = {
        task: TASK,
        module: 'rollback',
        status: ok ? 'changed' : 'failed',
        changes: ok ? [{ kind: 'reload', action: 'reload', target: 'nginx', summary }] : [],
        durationMs: Date.now() - t0,
        warnings: [],
        message,
      };
      observer.taskFinished(host.name, task);
      return finish(ok ? 'changed' : 'failed', task, ok ? undefined : message);
    } catch (err) {
      const unreachable = err instanceof UnreachableError || err instanceof HostKeyError;
      return finish(unreachable ? 'unreachable' : 'failed', undefined, (err as Error).message);
    }
  });
  const trips = await pool.roundTrips();
  await pool.closeAll();
  for (const r of results) r.roundTrips = trips.get(r.host) ?? 0;
  const summary: RunSummary = {
    command: 'rollback',
    check: false,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    hosts: results,
    interrupted: false,
    warnings: [],
  };
  await observer.runFinished(summary);
  return summary;
}

function describeRollback(result: RollbackResult): string {
  const nginx = result.nginxOutput ? `\n${result.nginxOutput.trim()}` : '';
  switch (result.status) {
    case 'rolled_back':
      return `restored ${result.restoredSnapshots.join(', ')}; nginx ${result.reloaded ? 'reloaded and confirmed' : 'not running'}`;
    case 'no_snapshot':
      return 'no snapshot to roll back to on this host (no apply has changed it yet)';
    case 'locked':
      return 'an apply holds the lock on this host: try again when it has finished';
    case 'validate_failed':
    case 'reload_failed':
      return `the snapshot was refused by nginx (${result.status}); ${result.keptCurrent ? 'the current configuration was kept' : 'CHECK THE HOST'}${nginx}`;
    case 'error':
      return `rollback failed: ${result.messages.join('; ')}${nginx}`;
  }
}
