import { dirname, resolve } from 'node:path';
import { errorsOf, type Diagnostic } from '../input/diagnostics.js';
import { readYamlFile, type KeyPath } from '../input/yaml-source.js';
import { didYouMean } from './did-you-mean.js';
import { PLAY_KEYS, UNSUPPORTED_PLAY_KEYS } from './keywords.js';
import { LoadContext } from './load-context.js';
import type { ModuleCatalog } from './module-catalog.js';
import { loadTask } from './load-task.js';
import { checkTemplateSyntax } from './syntax-check.js';
import type { Play, Playbook, Task } from './types.js';
import { asBoolean, asStringList, isMapping, VARIABLE_NAME } from './values.js';

/**
 * Reads and validates a playbook. Every problem is reported (not just the first), each with its
 * position and a fix; `playbook` is only returned when there are no errors.
 */
export function loadPlaybook(
  file: string,
  modules: ModuleCatalog,
): { playbook?: Playbook; diagnostics: Diagnostic[] } {
  // The playbook keeps YAML 1.2 core typing: its modes are read from how they were written.
  const { source, diagnostics } = readYamlFile(file, { kind: 'playbook', typing: 'core' });
  if (!source) return { diagnostics };
  const ctx = new LoadContext(source, source.text.split(/\r?\n/), dirname(resolve(file)), modules);
  const data = source.data;
  if (!Array.isArray(data) || data.length === 0) {
    ctx.error(
      [],
      'a playbook must be a list of plays',
      'start the file with "- name: ...", "  hosts: loadbalancers"',
    );
    return { diagnostics: ctx.diagnostics };
  }
  const plays = data.map((item, i) => loadPlay(ctx, item, [i]));
  const all = [...diagnostics, ...ctx.diagnostics];
  if (errorsOf(all).length > 0 || plays.some((p) => p === undefined)) return { diagnostics: all };
  return { playbook: { file, plays: plays as Play[] }, diagnostics: all };
}

function loadPlay(ctx: LoadContext, item: unknown, path: KeyPath): Play | undefined {
  if (!isMapping(item)) {
    ctx.error(
      path,
      'a play must be a mapping',
      'write the play as "- name: ...", "  hosts: ...", "  tasks: ..."',
    );
    return undefined;
  }
  const before = errorsOf(ctx.diagnostics).length;
  checkPlayKeys(ctx, item, path);

  const hosts = asStringList(item.hosts);
  if (item.hosts === undefined || item.hosts === null) {
    ctx.error(path, 'play has no hosts', 'add hosts: loadbalancers (an inventory group or host pattern)');
  } else if (!hosts || hosts.length === 0) {
    ctx.error(
      [...path, 'hosts'],
      'hosts must be a host pattern or a list of them',
      'write hosts: loadbalancers',
    );
  }
  const hostPattern = (hosts ?? []).join(':');
  const name = item.name ?? hostPattern;
  if (typeof name !== 'string') ctx.error([...path, 'name'], 'name must be a string', 'quote it');

  const become = optionalBoolean(ctx, item.become, [...path, 'become']);
  const anyErrorsFatal = optionalBoolean(ctx, item.any_errors_fatal, [...path, 'any_errors_fatal']) ?? false;
  optionalBoolean(ctx, item.gather_facts, [...path, 'gather_facts']);
  if (item.become_user !== undefined && typeof item.become_user !== 'string') {
    ctx.error([...path, 'become_user'], 'become_user must be a user name', 'write become_user: root');
  }
  if (item.become_method !== undefined && item.become_method !== 'sudo') {
    ctx.error(
      [...path, 'become_method'],
      'only sudo is supported as become_method',
      'remove it (sudo is the default)',
    );
  }
  const vars = playVars(ctx, item.vars, [...path, 'vars']);
  const serial = serialValue(ctx, item.serial, [...path, 'serial']);
  const maxFail = maxFailPercentage(ctx, item.max_fail_percentage, [...path, 'max_fail_percentage']);
  const tags = item.tags === undefined || item.tags === null ? [] : asStringList(item.tags, true);
  if (!tags)
    ctx.error([...path, 'tags'], 'tags must be a string or a list of strings', 'write tags: [nginx, tls]');

  const tasks = taskList(ctx, item.tasks, [...path, 'tasks'], false);
  const handlers = taskList(ctx, item.handlers, [...path, 'handlers'], true);
  checkNotify(ctx, tasks, handlers, path);

  if (errorsOf(ctx.diagnostics).length > before) return undefined;
  return {
    name: typeof name === 'string' ? name : hostPattern,
    hosts: hostPattern,
    ...(become !== undefined && { become }),
    ...(typeof item.become_user === 'string' && { becomeUser: item.become_user }),
    vars,
    tasks: tasks.map((t) => t.task),
    handlers: handlers.map((t) => t.task),
    ...(serial !== undefined && { serial }),
    ...(maxFail !== undefined && { maxFailPercentage: maxFail }),
    anyErrorsFatal,
    tags: tags ?? [],
    loc: ctx.loc(path),
  };
}

function checkPlayKeys(ctx: LoadContext, item: Record<string, unknown>, path: KeyPath): void {
  const known: readonly string[] = PLAY_KEYS;
  for (const key of Object.keys(item)) {
    if (known.includes(key)) continue;
    const unsupported = UNSUPPORTED_PLAY_KEYS[key];
    if (unsupported !== undefined) {
      ctx.error([...path, key], `'${key}' is not supported by apim-provision (yet)`, unsupported);
    } else {
      ctx.error(
        [...path, key],
        `unknown play keyword '${key}'`,
        `${didYouMean(key, [...known, ...Object.keys(UNSUPPORTED_PLAY_KEYS)])}play keywords: ${known.join(', ')}`,
      );
    }
  }
}

function optionalBoolean(ctx: LoadContext, value: unknown, path: KeyPath): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  const b = asBoolean(value);
  if (b === undefined) ctx.error(path, `${String(path.at(-1))} must be true or false`, 'use true or false');
  return b;
}

function playVars(ctx: LoadContext, value: unknown, path: KeyPath): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    ctx.error(path, 'vars must be a mapping', 'write one "name: value" line per variable under vars:');
    return {};
  }
  for (const key of Object.keys(value)) {
    if (!VARIABLE_NAME.test(key)) {
      ctx.error(
        [...path, key],
        `'${key}' is not a valid variable name`,
        'use letters, digits and underscores, not starting with a digit',
      );
    }
  }
  checkTemplateSyntax(ctx, value, path);
  return value;
}

/** `serial`: a positive number of hosts, or a percentage "N%". */
function serialValue(ctx: LoadContext, value: unknown, path: KeyPath): number | string | undefined {
  if (value === undefined || value === null) return undefined;
  const fix = 'write serial: 1 (hosts per batch) or serial: "30%"';
  if (Array.isArray(value)) {
    ctx.error(path, 'a list of batch sizes in serial is not supported by apim-provision (yet)', fix);
    return undefined;
  }
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 1) return n;
  } else if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    const pct = m ? Number(m[1]) : NaN;
    if (pct > 0 && pct <= 100) return `${pct}%`;
  }
  ctx.error(
    path,
    `serial must be a positive number of hosts or a percentage, not ${JSON.stringify(value)}`,
    fix,
  );
  return undefined;
}

function maxFailPercentage(ctx: LoadContext, value: unknown, path: KeyPath): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value.replace(/%$/, '')) : value;
  if (typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 100) return n;
  ctx.error(
    path,
    `max_fail_percentage must be a number from 0 to 100, not ${JSON.stringify(value)}`,
    'e.g. 25',
  );
  return undefined;
}

interface LoadedTask {
  task: Task;
  path: KeyPath;
}

function taskList(ctx: LoadContext, value: unknown, path: KeyPath, isHandler: boolean): LoadedTask[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.error(path, `${String(path.at(-1))} must be a list`, 'start each entry with "- name: ..."');
    return [];
  }
  const loaded: LoadedTask[] = [];
  value.forEach((item, i) => {
    const task = loadTask(ctx, item, [...path, i], isHandler);
    if (task) loaded.push({ task, path: [...path, i] });
  });
  return loaded;
}

/** Every notify must reach a handler of the same play, by name or by a `listen` topic. */
function checkNotify(ctx: LoadContext, tasks: LoadedTask[], handlers: LoadedTask[], playPath: KeyPath): void {
  const targets = new Set(handlers.flatMap(({ task }) => [task.name, ...(task.listen ?? [])]));
  for (const { task, path } of [...tasks, ...handlers]) {
    task.notify.forEach((n, i) => {
      if (targets.has(n)) return;
      const p = notifyPath(ctx, path, i);
      ctx.error(
        p,
        `notify names '${n}', which is no handler of this play`,
        targets.size === 0
          ? `add a handler named '${n}' under handlers: of play ${String(playPath[0])}`
          : `${didYouMean(n, [...targets])}handlers of this play: ${[...targets].join(', ')}`,
      );
    });
  }
}

/** Path of the i-th notify entry: notify may be a single string or a list. */
function notifyPath(ctx: LoadContext, taskPath: KeyPath, i: number): KeyPath {
  let node: unknown = ctx.source.data;
  for (const seg of taskPath) node = (node as Record<string | number, unknown>)[seg];
  return Array.isArray((node as Record<string, unknown>).notify)
    ? [...taskPath, 'notify', i]
    : [...taskPath, 'notify'];
}
