import { readInputFile } from '../input/read-input-file.js';
import type { KeyPath } from '../input/yaml-source.js';
import type { LoadContext } from './load-context.js';
import { TemplateSyntaxError } from './template-ast.js';
import { parseTemplate, REFUSAL_FIX, TemplateRefusedError } from './template-sandbox.js';

/**
 * `when:` holds a bare expression; parse it the way evaluateWhen renders it: one with braces is
 * rendered as a template first (its result, read as the expression, is only known at run time).
 */
export function whenAsTemplate(expr: string): string {
  return /\{\{|\{%|\{#/.test(expr) ? expr.trim() : `{{ (${expr}) }}`;
}

/** Message and fix for a template that does not parse or that the sandbox refuses. `where` names a file. */
export function templateDiagnostic(
  err: TemplateSyntaxError,
  where = '',
  isWhen = false,
): { message: string; fix: string } {
  if (err instanceof TemplateRefusedError)
    return { message: `template refused${where}: ${err.message}`, fix: REFUSAL_FIX };
  return { message: `template syntax error${where}: ${err.message}`, fix: syntaxFix(isWhen) };
}

/** Reports Jinja syntax errors in every string under `value` (deeply), at the string's position. */
export function checkTemplateSyntax(ctx: LoadContext, value: unknown, path: KeyPath): boolean {
  const isWhen = path.includes('when');
  if (typeof value === 'string') {
    if (!isWhen && !/\{\{|\{%|\{#/.test(value)) return true;
    try {
      parseTemplate(isWhen ? whenAsTemplate(value) : value);
      return true;
    } catch (err) {
      if (!(err instanceof TemplateSyntaxError)) throw err;
      const { message, fix } = templateDiagnostic(err, '', isWhen);
      ctx.error(path, message, fix);
      return false;
    }
  }
  if (Array.isArray(value))
    return value.map((v, i) => checkTemplateSyntax(ctx, v, [...path, i])).every(Boolean);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([k, v]) => checkTemplateSyntax(ctx, v, [...path, k]))
      .every(Boolean);
  }
  return true;
}

function syntaxFix(isWhen: boolean): string {
  return isWhen
    ? "write a Jinja expression without braces, e.g. when: nginx_edition == 'plus'"
    : 'close every {{ with }} and every {% tag %}; quote literal strings inside the braces';
}

/** Reports a `template` source file that does not parse, with the line inside that file. */
export function checkTemplateFileSyntax(ctx: LoadContext, file: string, path: KeyPath): boolean {
  const read = readInputFile(file, 'template');
  if (read.diagnostic) {
    ctx.error(path, `${read.diagnostic.message}: ${file}`, read.diagnostic.fix);
    return false;
  }
  try {
    parseTemplate(read.text);
    return true;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) {
      const { message, fix } = templateDiagnostic(err, ` in ${file}:${err.line}:${err.column}`);
      ctx.error(path, message, fix);
    } else {
      ctx.error(
        path,
        `cannot read template ${file}: ${(err as Error).message}`,
        'check the file permissions',
      );
    }
    return false;
  }
}
