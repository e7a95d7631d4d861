/** One problem found in user input, located precisely enough to fix without searching. */
export interface Diagnostic {
  /** File the problem is in (as the user named it, or relative to the inventory). */
  file: string;
  /** 1-based line and column; 0 when the problem concerns the whole file (e.g. unreadable). */
  line: number;
  column: number;
  /** Dotted key path inside the file, e.g. `all.children.loadbalancers.hosts.lb1.ansible_port`. */
  key: string;
  /** What is wrong. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** Warnings do not stop a run; errors do. */
  severity: 'error' | 'warning';
}

/** Thrown at the input edge when validation found errors; nothing has been contacted. */
export class InputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const key = d.key ? ` (${d.key})` : '';
  return `${where}${key}: ${d.severity}: ${d.message}\n  fix: ${d.fix}`;
}

export function errorsOf(diags: readonly Diagnostic[]): Diagnostic[] {
  return diags.filter((d) => d.severity === 'error');
}

/** A problem with a whole file (or a command-line value), or with one line of it. */
export function fileDiagnostic(
  file: string,
  message: string,
  fix: string,
  severity: Diagnostic['severity'] = 'error',
  line = 0,
): Diagnostic {
  return { file, line, column: line > 0 ? 1 : 0, key: '', message, fix, severity };
}
