import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { copyFloatMarks } from '../domain/tagged-values.js';
import type { KeyPath } from '../input/yaml-source.js';
import { didYouMean } from './did-you-mean.js';
import { isUnsupportedTaskKey, TASK_KEYS } from './keywords.js';
import type { LoadContext } from './load-context.js';
import { checkTemplateSyntax, checkTemplateFileSyntax } from './syntax-check.js';
import { isTemplated } from './templated.js';
import type { Task } from './types.js';
import { asBoolean, asStringList, isMapping } from './values.js';
import { parseFreeFormCommand } from './free-form.js';

/** Validates one task or handler; every problem goes to `ctx`. */
export function loadTask(
  ctx: LoadContext,
  item: unknown,
  path: KeyPath,
  isHandler: boolean,
): Task | undefined {
  const what = isHandler ? 'handler' : 'task';
  if (!isMapping(item)) {
    ctx.error(
      path,
      `a ${what} must be a mapping`,
      `write the ${what} as "- name: ...", then the module on its own line`,
    );
    return undefined;
  }
  const modules = findModules(ctx, item, path, isHandler);
  if (modules.length === 0) {
    if (!Object.keys(item).some((k) => !isKnownKey(ctx, k))) {
      ctx.error(
        path,
        `${what} names no module`,
        `add one module, e.g. "copy:"; modules: ${ctx.modules.names.join(', ')}`,
      );
    }
    return undefined;
  }
  if (modules.length > 1) {
    const [, second] = modules;
    ctx.error(
      [...path, second!.key],
      `${what} names more than one module (${modules.map((m) => m.key).join(', ')})`,
      'split it into one task per module',
    );
    return undefined;
  }
  const { key: moduleKey, module } = modules[0]!;
  let ok = true;
  const fail = (p: KeyPath, message: string, fix: string) => {
    ok = false;
    ctx.error(p, message, fix);
  };

  const name = item.name === undefined ? module : item.name;
  if (typeof name !== 'string' && typeof name !== 'number')
    fail([...path, 'name'], 'name must be a string', 'quote it');
  const taskName = typeof name === 'number' ? String(name) : typeof name === 'string' ? name : module;

  const args = moduleArguments(ctx, item, path, moduleKey, module, fail);
  const notify = optionalList(item.notify, [...path, 'notify'], 'notify', fail);
  const tags = optionalList(item.tags, [...path, 'tags'], 'tags', fail, true);
  const when = whenExpression(item.when, [...path, 'when'], fail);
  let become: boolean | undefined;
  if (item.become !== undefined) {
    become = asBoolean(item.become);
    if (become === undefined) fail([...path, 'become'], 'become must be true or false', 'use become: true');
  }
  if (item.become_method !== undefined && item.become_method !== 'sudo') {
    fail(
      [...path, 'become_method'],
      'only sudo is supported as become_method',
      'remove it (sudo is the default)',
    );
  }
  let listen: string[] | undefined;
  if (item.listen !== undefined) {
    if (!isHandler)
      fail([...path, 'listen'], 'listen is only for handlers', 'move this task under handlers:');
    else listen = optionalList(item.listen, [...path, 'listen'], 'listen', fail);
  }
  for (const key of ['name', 'when'] as const) {
    if (typeof item[key] === 'string' || Array.isArray(item[key]))
      checkTemplateSyntax(ctx, item[key], [...path, key]);
  }
  if (!ok || !args) return undefined;
  return {
    name: taskName,
    module,
    args,
    notify,
    ...(when !== undefined && { when }),
    tags,
    ...(become !== undefined && { become }),
    loc: ctx.loc(path),
    ...(listen !== undefined && { listen }),
  };
}

function isKnownKey(ctx: LoadContext, key: string): boolean {
  return (TASK_KEYS as readonly string[]).includes(key) || ctx.modules.resolve(key) !== undefined;
}

/** The module keys of a task; reports unsupported keywords and unknown keys on the way. */
function findModules(
  ctx: LoadContext,
  item: Record<string, unknown>,
  path: KeyPath,
  isHandler: boolean,
): { key: string; module: string }[] {
  const modules: { key: string; module: string }[] = [];
  for (const key of Object.keys(item)) {
    if ((TASK_KEYS as readonly string[]).includes(key)) continue;
    const unsupported = isUnsupportedTaskKey(key);
    if (unsupported !== undefined) {
      ctx.error([...path, key], `'${key}' is not supported by apim-provision (yet)`, unsupported);
      continue;
    }
    const module = ctx.modules.resolve(key);
    if (module) {
      modules.push({ key, module });
      continue;
    }
    ctx.error(
      [...path, key],
      `unknown module or ${isHandler ? 'handler' : 'task'} keyword '${key}'`,
      `${didYouMean(key, [...ctx.modules.spellings, ...TASK_KEYS])}modules: ${ctx.modules.names.join(', ')}; keywords: ${TASK_KEYS.join(', ')}`,
    );
  }
  return modules;
}

type Fail = (path: KeyPath, message: string, fix: string) => void;

function moduleArguments(
  ctx: LoadContext,
  item: Record<string, unknown>,
  path: KeyPath,
  moduleKey: string,
  module: string,
  fail: Fail,
): Record<string, unknown> | undefined {
  const argsPath = [...path, moduleKey];
  let raw = item[moduleKey];
  if (typeof raw === 'string' && ctx.modules.freeForm(module)) raw = parseFreeFormCommand(raw);
  // `args:` next to the module is Ansible's way to add options to a free-form command.
  if (item.args !== undefined) {
    if (!isMapping(item.args)) {
      fail([...path, 'args'], 'args must be a mapping', 'write the options as key: value lines under args:');
      return undefined;
    }
    if (raw !== null && raw !== undefined && !isMapping(raw)) {
      fail(
        argsPath,
        `${moduleKey} takes a mapping when args: is given`,
        `move the options under ${moduleKey}:`,
      );
      return undefined;
    }
    raw = { ...(raw ?? {}), ...item.args };
  }
  if (isMapping(raw)) {
    raw = { ...raw };
    if (!checkUnquotedMode(ctx, raw as Record<string, unknown>, argsPath, fail)) return undefined;
    checkTemplateSyntax(ctx, raw, argsPath);
  }
  const result = ctx.modules.validate(module, raw);
  if (!result.ok) {
    for (const issue of result.issues) {
      const p = issue.path.length > 0 ? [...argsPath, ...issue.path] : argsPath;
      const arg = issue.path.length > 0 ? `${moduleKey}.${issue.path.join('.')}` : moduleKey;
      fail(p, `${arg}: ${issue.message}`, issue.fix);
    }
    return undefined;
  }
  const args = resolveSource(ctx, module, result.args, [...argsPath, 'src'], fail);
  // YAML's 2.0 stays a float in the checked arguments (copy's content: 2.0 writes 2.0).
  for (const written of [item[moduleKey], item.args])
    if (args && isMapping(written)) copyFloatMarks(written, args);
  return args;
}

/**
 * YAML 1.2 reads `mode: 0644` as the decimal number 644 (YAML 1.1, which Ansible uses, reads octal
 * 420): an unquoted integer mode is ambiguous, so it is refused. `0o644` is explicit and accepted.
 */
function checkUnquotedMode(
  ctx: LoadContext,
  args: Record<string, unknown>,
  argsPath: KeyPath,
  fail: Fail,
): boolean {
  if (typeof args.mode !== 'number') return true;
  const raw = ctx.rawScalar([...argsPath, 'mode']);
  if (/^0o[0-7]+$/i.test(raw)) return true;
  const digits = /^[0-7]{3,4}$/.test(raw) ? raw.padStart(4, '0') : '0644';
  fail(
    [...argsPath, 'mode'],
    `mode ${raw} is an unquoted number: YAML 1.2 reads it as decimal ${args.mode}, not as an octal mode`,
    `quote it: '${digits}'`,
  );
  return false;
}

/** Resolves copy/template `src` on the controller (playbook folder, or files/ and templates/). */
function resolveSource(
  ctx: LoadContext,
  module: string,
  args: Record<string, unknown>,
  srcPath: KeyPath,
  fail: Fail,
): Record<string, unknown> | undefined {
  const src = args.src;
  const folder = ctx.modules.srcFolder(module);
  if (folder === undefined || typeof src !== 'string' || isTemplated(src)) return args;
  const candidates = isAbsolute(src) ? [src] : [join(ctx.dir, folder, src), join(ctx.dir, src)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    fail(
      srcPath,
      `src file not found: ${src} (looked for ${candidates.join(', ')})`,
      'fix the path or create the file',
    );
    return undefined;
  }
  if (ctx.modules.srcIsTemplate(module) && !checkTemplateFileSyntax(ctx, found, srcPath)) return undefined;
  return { ...args, src: found };
}

function optionalList(value: unknown, path: KeyPath, key: string, fail: Fail, splitCommas = false): string[] {
  if (value === undefined || value === null) return [];
  const list = asStringList(value, splitCommas);
  if (!list) {
    fail(
      path,
      `${key} must be a string or a list of strings`,
      `write ${key}: name, or a list of "- name" lines`,
    );
    return [];
  }
  return list;
}

/** `when` as one expression, or the list of them (kept apart: Ansible evaluates them one by one). */
function whenExpression(value: unknown, path: KeyPath, fail: Fail): string | string[] | undefined {
  if (value === undefined || value === null) return undefined;
  // YAML booleans and numbers, alone or as list items (`when: [x is defined, true]`), are
  // conditions as well: Ansible reads `when: 0` as false and `when: 1` as true.
  const condition = (v: unknown) => (typeof v === 'boolean' || typeof v === 'number' ? String(v) : v);
  if (typeof value === 'boolean' || typeof value === 'number') return condition(value) as string;
  const list = asStringList(Array.isArray(value) ? value.map(condition) : value);
  if (!list || list.length === 0) {
    fail(path, 'when must be an expression or a list of expressions', "write when: nginx_edition == 'plus'");
    return undefined;
  }
  return list.length === 1 ? list[0] : list;
}
