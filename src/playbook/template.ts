import { dirname } from 'node:path';
import type nunjucks from 'nunjucks';
import { Secret } from '../domain/secret.js';
import { literalEval, pyLiteralValue } from '../input/python-literal.js';
import { floatBoxed, isTuple } from '../domain/tagged-values.js';
import { addAnsibleFilters, MANDATORY_ERROR_NAME } from './filters.js';
import { parseAst, TemplateSyntaxError, type AstNode } from './template-ast.js';
import { wholeExpression } from './template-lexer.js';
import { ConfinedLoader, readTemplateFile, TemplateFileError } from './template-loader.js';
import { analyseTemplate, type TemplateReference } from './template-references.js';
import { sandboxedNunjucks } from './nunjucks-module.js';
import { boundedRender, NOT_A_VALUE, sandboxEnvironment } from './template-runtime.js';
import { hasPythonAttribute } from './template-methods.js';
import { parseTemplate, REFUSAL_FIX, TemplateRefusedError } from './template-sandbox.js';
import { pyText, pyTruth } from './python-values.js';
import { asSecret, trackSecrets } from './template-taint.js';
import { addNumberFilters } from './number-filters.js';
import { addTextFilters } from './text-filters.js';
import { addTruthFilters } from './truth-filters.js';
import type { SourceLoc } from './types.js';
import { isPlainObject } from './values.js';

/** Where a template came from, for error messages: the task (or play) location and name. */
export type TemplateSite = SourceLoc & { task?: string };

/** A template failed: syntax, an undefined variable, or a filter error. */
export class TemplateError extends Error {
  /** The message without the site. */
  readonly detail: string;

  constructor(
    message: string,
    readonly variable?: string,
    readonly loc?: TemplateSite,
  ) {
    super(message + describeSite(loc));
    this.name = 'TemplateError';
    this.detail = message;
  }
}

function describeSite(loc?: TemplateSite): string {
  if (!loc) return '';
  const task = loc.task !== undefined ? ` in task "${loc.task}"` : '';
  return `${task} at ${loc.file}:${loc.line}:${loc.column}`;
}

/** Capture hook for whole-value templates: nunjucks only returns strings, this keeps the value. */
const CAPTURE = '__apim_capture__';

function configure(env: nunjucks.Environment): nunjucks.Environment {
  sandboxEnvironment(env);
  addAnsibleFilters(env);
  addTruthFilters(env);
  addTextFilters(env);
  addNumberFilters(env);
  // Python spellings of the constants, which Ansible users write in `when:`.
  env.addGlobal('True', true);
  env.addGlobal('False', false);
  env.addGlobal('None', null);
  env.addGlobal(CAPTURE, (v: unknown) => {
    captured = v;
    return '';
  });
  // addTest exists at run time but is missing from @types/nunjucks.
  (env as unknown as { addTest(name: string, fn: (v: unknown) => boolean): void }).addTest(
    'none',
    (v) => v === null || v === undefined,
  );
  return env;
}

const OPTIONS = { autoescape: false, throwOnUndefined: true } as const;
/** Made by the first render (nunjucks is loaded on first use). */
let stringEnvironment: nunjucks.Environment | undefined;
const fileEnvs = new Map<string, nunjucks.Environment>();

/** No loader: playbook strings cannot include files from anywhere. */
function stringEnv(): nunjucks.Environment {
  return (stringEnvironment ??= configure(new (sandboxedNunjucks().Environment)([], OPTIONS)));
}

/** Template files may include their neighbours, and only those. */
function fileEnv(dir: string): nunjucks.Environment {
  let env = fileEnvs.get(dir);
  if (!env) {
    env = configure(new (sandboxedNunjucks().Environment)(new ConfinedLoader(dir), OPTIONS));
    fileEnvs.set(dir, env);
  }
  return env;
}

function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}

/** The first read of an undefined variable or attribute, as a dotted path. */
export function firstUndefined(
  refs: readonly TemplateReference[],
  vars: Record<string, unknown>,
): (TemplateReference & { missing: string }) | undefined {
  for (const ref of refs) {
    if (ref.guarded) continue;
    let cur: unknown = vars;
    for (let i = 0; i < ref.path.length; i++) {
      const seg = ref.path[i]!;
      // Own properties only, as the sandbox reads them: `x.toString` is not an attribute of x.
      // A secret is read as the string it holds (only to see whether `pw[0]` exists).
      const holder: unknown = cur instanceof Secret ? cur.reveal() : cur;
      const own = holder !== null && holder !== undefined && Object.hasOwn(Object(holder) as object, seg);
      // An attribute Python's getattr finds (`d.keys`, `n.real`): what follows is read at run time.
      if (!own && hasPythonAttribute(holder, seg)) break;
      if (!own) return { ...ref, missing: ref.path.slice(0, i + 1).join('.') };
      cur = (Object(holder) as Record<string, unknown>)[seg];
    }
  }
  return undefined;
}

/** What a render needs: the variables to render with, and the names only tested for definedness. */
interface Prepared {
  ctx: Record<string, unknown>;
  definednessOnly: ReadonlySet<string>;
}

function templateProblem(err: TemplateSyntaxError, file?: string): string {
  const inFile = file ? ` (${file} line ${err.line}, column ${err.column})` : '';
  return err instanceof TemplateRefusedError
    ? `template refused: ${err.message}${inFile}; ${REFUSAL_FIX}`
    : `template syntax error: ${err.message}${inFile}`;
}

/**
 * Checks syntax, the sandbox's rules and undefined reads, then returns the variables to render
 * with. nunjucks copies every variable it is given, which would render every lazy (templated)
 * variable: only the ones the template reads are resolved.
 */
function prepare(text: string, vars: Record<string, unknown>, where?: TemplateSite, file?: string): Prepared {
  let analysis;
  try {
    analysis = analyseTemplate(text);
  } catch (err) {
    if (err instanceof TemplateSyntaxError)
      throw new TemplateError(templateProblem(err, file), undefined, where);
    throw err;
  }
  const { refs, definednessOnly } = analysis;
  const missing = firstUndefined(refs, vars);
  if (missing) {
    const inFile = file ? ` (${file} line ${missing.line})` : '';
    throw new TemplateError(`undefined variable '${missing.missing}'${inFile}`, missing.missing, where);
  }
  // Included files read variables this file's references do not show: resolve what can be.
  const includes = file !== undefined && /\{%-?\s*(include|import|from|extends)\b/.test(text);
  return { ctx: materialise(vars, new Set(refs.map((r) => r.name)), includes), definednessOnly };
}

function materialise(vars: Record<string, unknown>, read: ReadonlySet<string>, bestEffort: boolean) {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(vars))) {
    if (!d.get) out[name] = floatBoxed(vars, name, d.value);
    else if (read.has(name)) out[name] = vars[name];
    else if (bestEffort) {
      try {
        out[name] = vars[name];
      } catch {
        // Unrenderable and maybe unused: an include that reads it reports it as undefined.
      }
    }
  }
  return out;
}

/** nunjucks messages start with "(unknown path) [Line 1, Column 3]" and repeat "Error:". */
function cleanMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw
    .replace(/^\(unknown path\)\s*/, '')
    .replace(/^\([^)]*\)\s*/, '')
    .replace(/\s*\bError:\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function run<T>(render: () => T, where?: TemplateSite): T {
  try {
    return render();
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    // nunjucks re-creates errors thrown by filters as "<name>: <message>", losing the class.
    const message = err instanceof Error ? err.message : String(err);
    const mandatory = new RegExp(`${MANDATORY_ERROR_NAME}: (.*)`).exec(message);
    if (mandatory) throw new TemplateError(mandatory[1]!.trim(), undefined, where);
    throw new TemplateError(`template error: ${cleanMessage(err)}`, undefined, where);
  }
}

/** Renders with secrets revealed; a render that revealed one returns a Secret. */
function renderTracked(
  env: nunjucks.Environment,
  text: string,
  prepared: Prepared,
  where?: TemplateSite,
): string | Secret {
  const { value, tainted } = run(
    () =>
      boundedRender(() => trackSecrets(() => env.renderString(text, prepared.ctx), prepared.definednessOnly)),
    where,
  );
  return tainted ? (asSecret(value) as Secret) : value;
}

/**
 * Renders `text` as a string. Undefined variables are an error, named in the message. A result
 * computed from a secret (any filter, concatenation or condition) is a `Secret`.
 */
export function renderString(
  text: string,
  vars: Record<string, unknown>,
  where?: TemplateSite,
): string | Secret {
  if (!isTemplate(text)) return text;
  return renderTracked(stringEnv(), text, prepare(text, vars, where), where);
}

/** Set by the capture global during one (synchronous) render. */
let captured: unknown;

/** Evaluates a Jinja expression to its value (not its string form), and whether it read a secret. */
function evaluate(
  expr: string,
  vars: Record<string, unknown>,
  where?: TemplateSite,
): { value: unknown; tainted: boolean } {
  const prepared = prepare(`{{ (${expr}) }}`, vars, where);
  const text = `{{ ${CAPTURE}((${expr})) }}`;
  // The text rendered is checked too, not only the one analysed: they differ by the capture call.
  run(() => parseTemplate(text), where);
  captured = undefined;
  const { tainted } = run(
    () =>
      boundedRender(() =>
        trackSecrets(() => stringEnv().renderString(text, prepared.ctx), prepared.definednessOnly),
      ),
    where,
  );
  const value = captured instanceof sandboxedNunjucks().runtime.SafeString ? String(captured) : captured;
  captured = undefined;
  if (typeof value === 'function')
    throw new TemplateError(`template error: ${NOT_A_VALUE}`, undefined, where);
  // A missing attribute or item read at run time (`seq.length`, `d[key]`): Ansible's undefined is strict.
  if (value === undefined)
    throw new TemplateError(`'${expr.trim()}' rendered to an undefined value`, undefined, where);
  return { value, tainted };
}

/** Text 2.14's concat hands to ast.literal_eval. */
function readsAsLiteral(text: string): boolean {
  return text.startsWith('[') || text.startsWith('{') || text === 'True' || text === 'False';
}

/**
 * What ansible-core 2.14 (without jinja2_native) makes of a rendered value: its concat turns it
 * into text (None into '', Ansible's finalize) and gives back a value only for text that reads as
 * a Python list, dict or bool (ast.literal_eval). So `"{{ 4 / 2 }}"` is the string "2.0" (`x + 1`
 * fails, `x == 2.0` is false), `"{{ (1, 2) }}"` the text "(1, 2)", `"{{ [1] }}"` and
 * `"[{{ 1 }}]"` lists. The text of to_json, string and the like (NativeJinjaText) stays text.
 */
function ansibleTyped(value: unknown): unknown {
  if (value === null) return '';
  if (typeof value === 'boolean' || isPlainObject(value) || (Array.isArray(value) && !isTuple(value)))
    return value;
  const text = pyText(value);
  if (!readsAsLiteral(text)) return text;
  const literal = literalEval(text);
  return literal === undefined ? text : pyLiteralValue(literal);
}

/**
 * Renders one value. A string that is exactly one `{{ expr }}` keeps the type of the result
 * (list, number, boolean), as Ansible does; other strings render to strings. Values computed
 * from a secret come back as Secrets (inside lists and dictionaries too).
 */
export function renderValue(value: unknown, vars: Record<string, unknown>, where?: TemplateSite): unknown {
  return renderTyped(value, vars, where).value;
}

/** The value of one Jinja expression, before Ansible's concat makes text of it. */
export function evaluateExpression(
  expr: string,
  vars: Record<string, unknown>,
  where?: TemplateSite,
): unknown {
  const result = evaluate(expr, vars, where);
  return result.tainted ? asSecret(result.value) : result.value;
}

/** Filters whose text Ansible marks NativeJinjaText (its STRING_TYPE_FILTERS): never literal_eval'd. */
const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml']);
/** Variables (by container) whose rendered value is such text: `{{ v }}` keeps it text. */
const nativeTexts = new WeakMap<object, Set<string>>();

/**
 * Whether a whole `{{ expr }}` is NativeJinjaText: its last step is one of those filters, or it
 * names a variable that is. Read from the expression, as Ansible's marker travels only that far.
 */
function isNativeText(expr: string, vars: Record<string, unknown>): boolean {
  const output = parseAst(`{{ ${expr} }}`).children?.[0];
  let node = output?.children?.length === 1 ? output.children[0] : undefined;
  while (node?.typename === 'Group' && node.children?.length === 1) node = node.children[0];
  if (node?.typename === 'Filter') return STRING_TYPE_FILTERS.has(String((node.name as AstNode).value));
  return node?.typename === 'Symbol' && nativeTexts.get(vars)?.has(String(node.value)) === true;
}

/** renderValue, and whether its value is NativeJinjaText. */
function renderTyped(
  value: unknown,
  vars: Record<string, unknown>,
  where?: TemplateSite,
): { value: unknown; native?: true } {
  if (typeof value === 'string') {
    const expr = wholeExpression(value);
    if (expr !== undefined) {
      const result = evaluate(expr, vars, where);
      // Only text literal_eval would read needs the (second) parse that tells NativeJinjaText.
      const native =
        typeof result.value === 'string' && readsAsLiteral(result.value) && isNativeText(expr, vars);
      const kept = native ? result.value : ansibleTyped(result.value);
      return { value: result.tainted ? asSecret(kept) : kept, ...(native && { native }) };
    }
    const text = renderString(value, vars, where);
    return { value: isTemplate(value) && typeof text === 'string' ? ansibleTyped(text) : text };
  }
  return { value: renderInside(value, vars, where) };
}

function renderInside(value: unknown, vars: Record<string, unknown>, where?: TemplateSite): unknown {
  // A YAML whole-number float inside (`[1.0]`) comes out a float, as a rendered one does.
  if (Array.isArray(value)) return value.map((v, i) => renderValue(floatBoxed(value, i, v), vars, where));
  if (isPlainObject(value)) return renderArgs(value, vars, where);
  return value;
}

/** Renders every string inside module arguments (deeply). Class instances (e.g. Secret) pass through. */
export function renderArgs(
  args: Record<string, unknown>,
  vars: Record<string, unknown>,
  where?: TemplateSite,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, renderValue(floatBoxed(args, k, v), vars, where)]),
  );
}

/**
 * One `when:` condition, decided as ansible-core 2.14 does (the oracle of
 * test/conformance/jinja-truth.test.ts). A bare expression holds when its value is true by
 * Python's truth (Ansible evaluates `{% if <condition> %}`): the string "false" is true there. A
 * condition with braces (which Ansible warns about) is rendered first; a text result is then the
 * expression, so `"{{ flag }}"` with flag "false" is false and with flag "yes" reads a variable yes.
 */
function conditionHolds(condition: string, vars: Record<string, unknown>, where?: TemplateSite): boolean {
  const expressionHolds = (expr: string) => pyTruth(evaluate(expr, vars, where).value);
  if (!isTemplate(condition)) return expressionHolds(condition);
  const rendered = renderValue(condition, vars, where);
  if (rendered instanceof Secret) {
    try {
      return rendered.reveal() !== '' && expressionHolds(rendered.reveal());
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw new TemplateError(
        'the condition, rendered from a secret, is not an expression (the error is not shown: it could quote the secret)',
        undefined,
        where,
      );
    }
  }
  if (typeof rendered !== 'string') return pyTruth(rendered);
  return rendered !== '' && expressionHolds(rendered);
}

/**
 * The first condition of a `when:` (one Jinja expression without braces, or a list of them) that
 * is false, as written (Ansible's `false_condition`), or undefined when all hold. A list is
 * evaluated in order and stops at the first false condition, as Ansible does: a later one that
 * would fail is never evaluated. Reading an undefined variable is an error, unless guarded
 * (`x is defined`, `x | default(...)`). Only the condition's text is shown, never its value.
 */
export function falseCondition(
  expr: string | string[],
  vars: Record<string, unknown>,
  where?: TemplateSite,
): string | undefined {
  return [expr].flat().find((c) => !conditionHolds(c, vars, where));
}

/** Whether every condition of a `when:` holds (see falseCondition). */
export function evaluateWhen(
  expr: string | string[],
  vars: Record<string, unknown>,
  where?: TemplateSite,
): boolean {
  return falseCondition(expr, vars, where) === undefined;
}

/**
 * Renders a `template` module source file. It may `{% include %}` files of its own folder. The
 * result is a Secret when the template used one: the file's content is then never shown.
 */
export function renderTemplateFile(
  file: string,
  vars: Record<string, unknown>,
  where?: TemplateSite,
): string | Secret {
  let text: string;
  try {
    text = readTemplateFile(file);
  } catch (err) {
    if (err instanceof TemplateFileError) throw new TemplateError(err.message, undefined, where);
    throw err;
  }
  return renderTracked(fileEnv(dirname(file)), text, prepare(text, vars, where, file), where);
}

/** True when a value holds a `{{ }}` or `{% %}` template anywhere inside. */
export function holdsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(holdsTemplate);
  if (isPlainObject(value)) return Object.values(value).some(holdsTemplate);
  return false;
}

/**
 * Variables whose templated values (`url: "https://{{ host }}"`) render when first read, against
 * the same variables, as Ansible resolves vars lazily: a variable nobody reads may stay
 * unrenderable. A variable that reads itself (directly or not) is an error.
 */
export function withLazyTemplates(
  vars: Record<string, unknown>,
  where?: TemplateSite,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cache = new Map<string, unknown>();
  const resolving = new Set<string>();
  for (const [name, raw] of Object.entries(vars)) {
    if (!holdsTemplate(raw)) {
      out[name] = floatBoxed(vars, name, raw);
      continue;
    }
    Object.defineProperty(out, name, {
      enumerable: true,
      configurable: true,
      get() {
        if (cache.has(name)) return cache.get(name);
        if (resolving.has(name)) throw new TemplateError(`variable '${name}' refers to itself`, name, where);
        resolving.add(name);
        try {
          const { value, native } = renderTyped(raw, out, where);
          if (native) nativeTexts.set(out, (nativeTexts.get(out) ?? new Set()).add(name));
          cache.set(name, value);
          return value;
        } catch (err) {
          if (!(err instanceof TemplateError) || err.variable === name) throw err;
          throw new TemplateError(
            `in variable '${name}': ${err.detail}`,
            err.variable ?? name,
            err.loc ?? where,
          );
        } finally {
          resolving.delete(name);
        }
      },
    });
  }
  return out;
}
