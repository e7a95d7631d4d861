import { readInputFile } from '../input/read-input-file.js';
import type { Diagnostic } from '../input/diagnostics.js';
import { isTemplated } from './templated.js';
import { templateDiagnostic, whenAsTemplate } from './syntax-check.js';
import { TemplateSyntaxError } from './template-ast.js';
import { collectReferences, TEMPLATE_GLOBALS } from './template-references.js';
import type { ModuleCatalog } from './module-catalog.js';
import type { Play, Playbook, SourceLoc, Task } from './types.js';

/**
 * Variables the engine defines for every host before rendering, besides inventory and play vars.
 * The engine must provide each of them.
 */
export const BUILTIN_VARS: readonly string[] = [
  'inventory_hostname',
  'groups',
  'group_names',
  'hostvars',
  'ansible_facts',
  'nginx_version',
  'nginx_conf_prefix',
  'nginx_edition',
  'apim_pattern',
  'apim_version',
];

/** One templated string of a play, and where to point at when it is wrong. */
interface TemplatedText {
  text: string;
  loc: SourceLoc;
  key: string;
  /** "task \"X\"", "play vars" ... for the message. */
  owner: string;
  /** Set for template module files: the message names the file and line inside it. */
  file?: string;
}

/**
 * Finds, before any host is contacted, every variable a play's templates read that neither the
 * play, nor a host's variables, nor the built-ins define. Guarded reads (`| default`, `is defined`)
 * are fine. Template syntax errors are reported too.
 */
export function checkUndefinedVariables(
  playbook: Playbook,
  /** The variables of each host the play runs on (not every host of the inventory). */
  varsOfPlayHosts: (play: Play, index: number) => ReadonlyMap<string, Record<string, unknown>>,
  /** Which modules render their `src` file as a template (the registry says, not a name here). */
  modules: Pick<ModuleCatalog, 'srcIsTemplate'>,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  playbook.plays.forEach((play, pi) => {
    const base = new Set([...Object.keys(play.vars), ...BUILTIN_VARS, ...TEMPLATE_GLOBALS]);
    const hosts = [...varsOfPlayHosts(play, pi).entries()];
    const reported = new Set<string>();
    for (const t of templatedTexts(play, pi, modules)) {
      let refs;
      try {
        refs = collectReferences(t.text);
      } catch (err) {
        if (!(err instanceof TemplateSyntaxError)) throw err;
        const where = t.file ? ` in ${t.file}:${err.line}:${err.column}` : '';
        const { message, fix } = templateDiagnostic(err, where);
        diagnostics.push(diag(t, message, fix));
        continue;
      }
      for (const ref of refs) {
        if (ref.guarded || base.has(ref.name)) continue;
        const missingOn = hosts.filter(([, vars]) => !Object.hasOwn(vars, ref.name)).map(([h]) => h);
        if (hosts.length > 0 && missingOn.length === 0) continue;
        const dedupe = `${t.owner}\0${ref.name}`;
        if (reported.has(dedupe)) continue;
        reported.add(dedupe);
        const forHosts =
          hosts.length > 0 && missingOn.length < hosts.length
            ? ` for host${plural(missingOn)} ${missingOn.join(', ')}`
            : '';
        const inFile = t.file ? ` (${t.file} line ${ref.line})` : '';
        diagnostics.push(
          diag(
            t,
            `undefined variable '${ref.name}' in ${t.owner}${inFile}${forHosts}`,
            `define it in the play's vars, in group_vars/ or host_vars/ of the inventory, or give it a default: {{ ${ref.name} | default('...') }}`,
          ),
        );
      }
    }
  });
  return diagnostics;
}

function plural(list: unknown[]): string {
  return list.length === 1 ? '' : 's';
}

function diag(t: TemplatedText, message: string, fix: string): Diagnostic {
  return {
    file: t.loc.file,
    line: t.loc.line,
    column: t.loc.column,
    key: t.key,
    message,
    fix,
    severity: 'error',
  };
}

function* templatedTexts(
  play: Play,
  pi: number,
  modules: Pick<ModuleCatalog, 'srcIsTemplate'>,
): Generator<TemplatedText> {
  for (const [name, value] of Object.entries(play.vars)) {
    for (const text of strings(value)) {
      yield { text, loc: play.loc, key: `${pi}.vars.${name}`, owner: `play vars (${name})` };
    }
  }
  const sections: [string, Task[]][] = [
    ['tasks', play.tasks],
    ['handlers', play.handlers],
  ];
  for (const [section, tasks] of sections) {
    for (const [ti, task] of tasks.entries()) {
      const key = `${pi}.${section}.${ti}`;
      const owner = `${section === 'tasks' ? 'task' : 'handler'} "${task.name}"`;
      if (isTemplated(task.name)) yield { text: task.name, loc: task.loc, key: `${key}.name`, owner };
      if (task.when !== undefined)
        for (const text of whenTexts(task.when)) yield { text, loc: task.loc, key: `${key}.when`, owner };
      for (const [arg, value] of Object.entries(task.args)) {
        for (const text of strings(value))
          yield { text, loc: task.loc, key: `${key}.${task.module}.${arg}`, owner };
      }
      const src = task.args.src;
      // An unreadable source is reported by the syntax check; here it only has no variables.
      const read =
        modules.srcIsTemplate(task.module) && typeof src === 'string' && !isTemplated(src)
          ? readInputFile(src, 'template')
          : undefined;
      if (read?.text !== undefined && typeof src === 'string') {
        yield {
          text: read.text,
          loc: task.loc,
          key: `${key}.${task.module}.src`,
          owner,
          file: src,
        };
      }
    }
  }
}

/**
 * A when: list is evaluated item by item, stopping at the first false one, so an earlier
 * `x is defined` guards the later items: bare conditions are checked as one `(a) and (b)`. A braced
 * item is rendered on its own first, so it is checked on its own.
 */
function whenTexts(when: string | string[]): string[] {
  const conditions = [when].flat();
  const bare = conditions.filter((c) => whenAsTemplate(c) !== c.trim());
  const braced = conditions.filter((c) => whenAsTemplate(c) === c.trim());
  return [...(bare.length > 0 ? [`{{ ${bare.map((c) => `(${c})`).join(' and ')} }}`] : []), ...braced];
}

/** Templated strings anywhere inside a value. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string' && isTemplated(value)) yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) yield* strings(v);
  }
}
