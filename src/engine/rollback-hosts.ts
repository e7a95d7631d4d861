import type { Inventory } from '../domain/types.js';
import { selectHosts } from '../inventory/select-hosts.js';
import { parseRollbackResult, rollbackScript } from '../remote/index.js';
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
      const task: TaskResult = {
        task: TASK,
        module: 'rollback',
        status: result.ok ? 'changed' : 'failed',
        changes: result.ok
          ? [
              {
                kind: 'reload',
                action: 'reload',
                target: 'nginx',
                summary: `restored snapshot ${result.snapshotId ?? ''}`,
              },
            ]
          : [],
        durationMs: Date.now() - t0,
        warnings: [],
        message: result.message,
      };
      observer.taskFinished(host.name, task);
      return finish(result.ok ? 'changed' : 'failed', task, result.ok ? undefined : result.message);
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
