import { join } from 'node:path';
import {
  moduleNamed,
  validateRendered,
  type Action,
  type Change,
  type DesiredKeystoreEntry,
  type ModuleContext,
  type ModuleDefinition,
  type ModulePlan,
} from '../modules/index.js';
import type { ArgIssue, Task } from '../playbook/index.js';
import { falseCondition, renderArgs } from '../playbook/index.js';
import {
  installScript,
  opsScript,
  parseInstallResult,
  parseOpsResult,
  parseRollbackResult,
  rollbackScript,
  type NodeRestart,
  type RemoteOp,
} from '../remote/index.js';
import { activate } from './activate.js';
import { commitNode } from './commit-node.js';
import type { HostSession } from './host-session.js';
import { HIDDEN_OUTPUT, SecretArgs } from './secret-args.js';
import { sha256 } from './desired-state.js';
import { describeRollback } from './rollback-text.js';
import { REMOTE_STATE_DIR } from './run-options.js';
import { retire, stageFiles } from './stage-files.js';
import { failedOutcome, outcomeOf, type TaskOutcome } from './task-outcome.js';

/**
 * One task on one host, the module contract's engine side: `when`, arguments rendered and checked
 * again by the module's own rules, the facts the module needs, its plan, then (outside check mode
 * only) the plan's actions. Staged files are diffed and staged here; retirements are planned here.
 */
export async function runTask(
  session: HostSession,
  task: Task,
  vars: Record<string, unknown>,
): Promise<TaskOutcome> {
  const site = { ...task.loc, task: task.name };
  const falseWhen = task.when ? falseCondition(task.when, vars, site) : undefined;
  if (falseWhen !== undefined) {
    return { status: 'skipped', changes: [], warnings: [], message: `false condition: ${falseWhen}` };
  }
  const def = moduleNamed(task.module);
  if (def.transaction && def.transaction !== session.kind.transaction) {
    return failedOutcome(
      def.transaction === 'nginx'
        ? `${def.name} changes a load balancer; this play configures API-M nodes: put it in a play of its own`
        : `${def.name} changes an API-M node; this play configures load balancers: put it in a play of its own`,
    );
  }
  const secrets = SecretArgs.reveal(renderArgs(task.args, vars, site), task.args);
  const checked = validateRendered(def.name, secrets.args);
  if (!checked.ok)
    return failedOutcome(secrets.clean(renderedArgsProblem(task, secrets.args, checked.issues)));
  const args = checked.args;
  return secrets.outcome(await planAndApply(session, task, vars, def, args, secrets));
}

async function planAndApply(
  session: HostSession,
  task: Task,
  vars: Record<string, unknown>,
  def: ModuleDefinition,
  args: unknown,
  secrets: SecretArgs,
): Promise<TaskOutcome> {
  let caUsed = false;
  const ctx: ModuleContext = {
    host: session.host,
    inventory: session.inventory,
    ...(session.loadBalancer ? { loadBalancer: session.loadBalancer } : {}),
    ...(session.kind.apimNode ? { apimNode: session.kind.apimNode } : {}),
    facts: session.facts,
    confPrefix: session.confPrefix,
    defaultOwner: session.defaultOwner,
    vars,
    task: { name: task.name, loc: task.loc },
    localCa: () => {
      caUsed = true;
      return session.localCa.get();
    },
  };
  const queries = def.needs?.(ctx, args).queries ?? [];
  if (queries.length > 0) await session.ask(queries);
  const planned = await def.plan({ ...ctx, facts: session.facts }, args);
  const message = secrets.message(planned.message);
  const plan: ModulePlan = {
    ...planned,
    actions: secrets.actions(planned.actions),
    ...(message !== undefined ? { message } : {}),
  };
  const warnings = [...(plan.warnings ?? [])];
  if (plan.failure !== undefined) return failedOutcome(plan.failure, warnings);

  const changes: Change[] = [];
  if (caUsed && session.localCa.isNew) {
    // Outside check mode the first task to need it writes it; in check mode it is only shown.
    if (!session.options.check && !session.localCa.persist()) {
      // Another host of this run wrote it meanwhile: nothing for this task to report.
    } else {
      changes.push({
        kind: 'file',
        action: 'create',
        target: join(session.localCa.dir, 'ca.crt'),
        summary: 'local CA on the controller (ca.key 0600): signs the generated certificates',
      });
    }
  }
  const staged = await stage(session, def, plan);
  if (typeof staged === 'string') return failedOutcome(staged, warnings);
  changes.push(...staged.changes);
  warnings.push(...staged.warnings);

  const outcome = session.options.check
    ? checkOutcome(session, def, plan, changes, warnings)
    : await apply(session, plan, changes, warnings, secrets);
  return plan.nginx ? { ...outcome, nginx: plan.nginx } : outcome;
}

async function stage(
  session: HostSession,
  def: ModuleDefinition,
  plan: ModulePlan,
): Promise<{ changes: Change[]; warnings: string[] } | string> {
  const files = plan.actions.flatMap((a) => (a.kind === 'stage-file' ? [a.file] : []));
  const directories = plan.actions.flatMap((a) => (a.kind === 'stage-directory' ? [a.directory] : []));
  const keystores = plan.actions.flatMap((a) => (a.kind === 'stage-keystore' ? [a.entry] : []));
  const changes = files.length + directories.length > 0 ? await stageFiles(session, files, directories) : [];
  if (typeof changes === 'string') return changes;
  const keystoreChanges = await stageKeystores(session, keystores);
  if (typeof keystoreChanges === 'string') return keystoreChanges;
  changes.push(...keystoreChanges);
  if (plan.manages === undefined) return { changes, warnings: [] };
  // What the module writes (or keeps) at each path it manages: a retired file is removed only if
  // unchanged since.
  const kept = plan.kept ?? [];
  const written = new Map([
    ...files.map((f): [string, string] => [f.path, sha256(f.content)]),
    ...kept.map((k): [string, string] => [k.path, k.sha256]),
  ]);
  const manages = new Map(plan.manages.map((p) => [p, written.get(p)]));
  for (const f of [...files, ...kept])
    if (f.certificate && manages.has(f.path)) session.recordNotes.set(f.path, JSON.stringify(f.certificate));
  const retired = retire(session, def.name, manages);
  return { changes: [...changes, ...retired.changes], warnings: retired.warnings };
}

/** Check mode: what would change, and what later tasks should assume; nothing runs. */
function checkOutcome(
  session: HostSession,
  def: ModuleDefinition,
  plan: ModulePlan,
  changes: Change[],
  warnings: string[],
): TaskOutcome {
  const all = [...changes, ...plan.changes];
  const acts = plan.actions.some(
    (a) => a.kind !== 'stage-file' && a.kind !== 'stage-directory' && a.kind !== 'stage-keystore',
  );
  if (def.unpredictable && acts) {
    return { status: 'skipped', changes: all, warnings, message: 'not run in check mode' };
  }
  for (const action of plan.actions) if (action.kind === 'ops') session.afterOps(action.ops);
  return outcomeOf(all, warnings, plan.message);
}

/** Outside check mode: the plan's actions, in order; the first failure ends the task. */
async function apply(
  session: HostSession,
  plan: ModulePlan,
  changes: Change[],
  warnings: string[],
  secrets: SecretArgs,
): Promise<TaskOutcome> {
  let predicted = plan.changes;
  let message = plan.message;
  let transaction: TaskOutcome['transaction'];
  for (const action of plan.actions) {
    const done = await act(session, action, plan, secrets);
    if (done === undefined) continue;
    if (done.status === 'failed') return { ...done, changes: [...changes, ...done.changes], warnings };
    // The host's report replaces what the plan predicted (a reload that was not needed, a package
    // already at its newest version).
    if (done.replaces) predicted = done.changes;
    message = done.message ?? message;
    transaction = done.transaction ?? transaction;
  }
  return {
    ...outcomeOf([...changes, ...predicted], warnings, message),
    ...(transaction ? { transaction } : {}),
  };
}

type ActionResult = TaskOutcome & { replaces?: boolean };

async function act(
  session: HostSession,
  action: Action,
  plan: ModulePlan,
  secrets: SecretArgs,
): Promise<ActionResult | undefined> {
  switch (action.kind) {
    case 'stage-file':
    case 'stage-directory':
    case 'stage-keystore':
      return undefined;
    case 'ops':
      return runOps(session, action.ops, plan, secrets.tainted);
    case 'install': {
      const out = await session.conn.run(installScript(action.spec), { become: session.become });
      const result = parseInstallResult(out.stdout, out.stderr);
      if (!result.ok)
        return failedOutcome(`installing ${action.spec.packageName ?? 'nginx'} failed:\n${result.message}`);
      // Everything after this plans for the nginx that is now on the host.
      await session.refreshFacts();
      return { ...outcomeOf([], [], [result.message, plan.message].filter(Boolean).join('. ')) };
    }
    case 'activate':
      return { ...(await activate(session, action.reload)), replaces: true };
    case 'rollback':
      return rollback(session, action.snapshotId);
    case 'restart':
      return restartNode(session, action.restart, action.exclusive);
  }
}

/**
 * The node transaction with a restart, holding the run's keys of the node's role groups: no other
 * node of those groups restarts meanwhile, and after one failed, the others change nothing.
 */
async function restartNode(
  session: HostSession,
  restart: NodeRestart,
  exclusive: string[],
): Promise<ActionResult> {
  const held = await session.kind.exclusive.acquire(exclusive, session.host.name);
  if ('failedBy' in held) {
    session.staged.clear();
    return failedOutcome(
      `not restarted: ${held.failedBy}, also in ${held.key}, failed its restart in this run, so the rest of the group is left as it was (nothing was changed on this node); fix ${held.failedBy} and run again`,
    );
  }
  let failed = true;
  try {
    const outcome = await commitNode(session, restart);
    failed = outcome.status === 'failed';
    return { ...outcome, replaces: true };
  } finally {
    held.release(failed);
  }
}

/**
 * Stages keystore entries (API-M node transactions only): each keystore keeps its owner and mode,
 * and the transaction compares it with what the plan saw. Shown as the certificate imported.
 */
async function stageKeystores(
  session: HostSession,
  entries: DesiredKeystoreEntry[],
): Promise<Change[] | string> {
  if (entries.length === 0) return [];
  if (session.kind.transaction !== 'apim-node')
    return 'keystore entries are imported by API-M node transactions only';
  await session.ask(entries.map((e) => ({ kind: 'file' as const, path: e.path })));
  const changes: Change[] = [];
  for (const entry of entries) {
    const fact = session.fileFact(entry.path);
    if (!fact?.exists || fact.type !== 'file' || !fact.sha256)
      return `${entry.path} is not a regular file on the host`;
    session.staged.addKeystore(entry, {
      expected: fact.sha256,
      mode: fact.mode,
      owner: fact.owner,
      group: fact.group,
    });
    changes.push({
      kind: 'file',
      action: 'update',
      target: entry.path,
      summary: `import alias ${entry.alias} (keytool): ${entry.certificate.subject}`,
      certificate: entry.certificate,
    });
  }
  return changes;
}

/** `hideOutput`: the operations carry a secret, so what they print is never shown. */
async function runOps(
  session: HostSession,
  ops: RemoteOp[],
  plan: ModulePlan,
  hideOutput: boolean,
): Promise<ActionResult> {
  const out = await session.conn.run(opsScript(ops), { become: session.become });
  const result = parseOpsResult(out.stdout, out.stderr);
  session.afterOps(ops);
  const output = result.results.at(-1);
  if (!result.ok && hideOutput) {
    return failedOutcome(`exit ${output?.exitCode ?? 'unknown'} (${HIDDEN_OUTPUT})`);
  }
  if (!result.ok) {
    const op = ops[result.results.length - 1] ?? ops[0]!;
    const detail = [output?.stderr, output?.stdout, ...result.messages].map((t) => t?.trim()).filter(Boolean);
    return failedOutcome(
      `${describeOp(op)} failed${output?.exitCode !== undefined ? ` (exit ${output.exitCode})` : ''}:\n${detail.join('\n')}`,
    );
  }
  // Commands report what they printed; packages say whether they changed anything.
  const runsCommand = ops.some((o) => o.op === 'exec' || o.op === 'shell');
  const printed = runsCommand ? (hideOutput ? HIDDEN_OUTPUT : output?.stdout?.trim()) : undefined;
  const reported = result.results.filter((r) => r.changed !== undefined);
  const unchanged = reported.length > 0 && reported.every((r) => r.changed === false);
  return {
    ...outcomeOf(unchanged ? [] : plan.changes, [], printed || plan.message),
    ...(unchanged ? { replaces: true } : {}),
  };
}

async function rollback(session: HostSession, snapshotId: string | undefined): Promise<ActionResult> {
  const nginx = session.facts.nginx;
  if (!nginx) return failedOutcome('nginx is not installed: nothing to roll back');
  const script = rollbackScript({
    stateDir: REMOTE_STATE_DIR,
    confPath: nginx.confPath,
    nginxBinary: nginx.binary,
    serviceManager: session.facts.serviceManager,
    ...(snapshotId ? { snapshotId } : {}),
  });
  const out = await session.conn.run(script, { become: session.become });
  const result = parseRollbackResult(out.stdout, out.stderr);
  const message = describeRollback(result);
  if (result.status !== 'rolled_back') return failedOutcome(message);
  return {
    ...outcomeOf(
      [
        {
          kind: 'reload',
          action: 'reload',
          target: 'nginx',
          summary: `restored snapshot(s) ${result.restoredSnapshots.join(', ')}`,
        },
      ],
      [],
      message,
    ),
    replaces: true,
  };
}

function describeOp(op: RemoteOp): string {
  switch (op.op) {
    case 'exec':
      return op.argv.join(' ');
    case 'shell':
      return op.script;
    case 'package':
      return `${op.manager} ${op.action} ${op.names.join(' ')}`;
    case 'service':
      return `${op.action} ${op.name}`;
    case 'mkdir':
    case 'touch':
    case 'remove':
      return `${op.op} ${op.path}`;
    case 'chmod':
      return `chmod ${op.mode} ${op.path}`;
    case 'chown':
      return `chown ${op.owner ?? ''}:${op.group ?? ''} ${op.path}`;
  }
}

/**
 * A rendered argument the module refuses: the same message and fix as at load time, with the
 * rendered value, what it was rendered from, and where the task is.
 */
export function renderedArgsProblem(
  task: Task,
  rendered: Record<string, unknown>,
  issues: ArgIssue[],
): string {
  const lines = issues.map((issue) => {
    const key = [task.module, ...issue.path].join('.');
    const value = valueAt(rendered, issue.path);
    const source = valueAt(task.args, issue.path);
    const from =
      typeof source === 'string' && source !== value ? ` (rendered from ${JSON.stringify(source)})` : '';
    const shown = value === undefined ? '' : ` ${JSON.stringify(value)}${from}`;
    return `${key}:${shown}: ${issue.message}; fix: ${issue.fix}`;
  });
  return `${lines.join('\n')}\nin task "${task.name}" at ${task.loc.file}:${task.loc.line}:${task.loc.column}; nothing was run for it`;
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}
