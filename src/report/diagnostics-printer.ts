import type { Diagnostic } from '../input/diagnostics.js';
import { paint } from './ansi.js';
import { sanitiseDeep } from './sanitise.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
  return a.line - b.line || a.column - b.column;
}

/**
 * Validation output: diagnostics grouped by file (in the order files first appear), errors before
 * warnings, each with its position, key path and fix; then `2 errors, 1 warning in 1 file`.
 */
export function formatDiagnostics(diags: readonly Diagnostic[], color: boolean): string {
  const files = new Map<string, Diagnostic[]>();
  // Messages quote input values: their control characters are shown escaped.
  for (const d of sanitiseDeep([...diags])) files.set(d.file, [...(files.get(d.file) ?? []), d]);
  const lines: string[] = [];
  for (const [file, list] of files) {
    lines.push(paint('bold', file, color));
    for (const d of [...list].sort(byPosition)) {
      const where = d.line > 0 ? `${d.line}:${d.column}` : '-';
      const severity = paint(d.severity === 'error' ? 'red' : 'yellow', d.severity.padEnd(7), color);
      const key = d.key ? paint('dim', ` (${d.key})`, color) : '';
      lines.push(`  ${where.padEnd(7)} ${severity} ${d.message}${key}`);
      lines.push(`  ${' '.repeat(7)} ${' '.repeat(7)} fix: ${d.fix}`);
    }
    lines.push('');
  }
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  if (diags.length === 0) lines.push(paint('green', 'no problems found', color));
  else {
    const countLine = `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files.size, 'file')}`;
    lines.push(paint(errors > 0 ? 'red' : 'yellow', countLine, color));
  }
  return lines.join('\n') + '\n';
}

export function printDiagnostics(
  diags: readonly Diagnostic[],
  out: NodeJS.WritableStream,
  color: boolean,
): void {
  out.write(formatDiagnostics(diags, color));
}
