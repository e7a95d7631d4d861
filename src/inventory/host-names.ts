import type { DiagnosticBag } from './diagnostic-bag.js';
import type { Origin } from './inventory-tree.js';

/**
 * Host names end up in file paths (`render --out DIR/<host>/`), headers and terminal output. Ansible
 * accepts any text as a name; apim-provision refuses the ones that could escape a folder or forge
 * output: control characters (newlines, escape sequences), slashes, `.` and `..`.
 */
export function hostNameProblem(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name))
    return 'contains a control character (a newline or terminal escape)';
  if (name.includes('/') || name.includes('\\')) return 'contains a slash';
  if (name === '.' || name === '..') return 'is a path, not a name';
  if (name.trim() !== name) return 'starts or ends with white space';
  return undefined;
}

export function checkHostName(name: string, origin: Origin, bag: DiagnosticBag): void {
  const problem = hostNameProblem(name);
  if (!problem) return;
  bag.push(
    origin.source.diagnostic(
      origin.path,
      `host name ${JSON.stringify(name)} ${problem}`,
      'name the host with letters, digits, dots, hyphens and underscores (set its address with ansible_host)',
    ),
  );
}
