/**
 * The values the remote scripts accept, defined once: module argument schemas and the inventory check user input
 * against these rules (with file, line and a fix), and the script generators assert them again
 * before anything is sent, so no caller can hand a script a value it cannot carry safely.
 */

/** User and group names (or numeric ids), as useradd and the nss databases allow them. */
export const ACCOUNT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$/;

/**
 * Package names with an optional version (`nginx`, `nginx=1.22*`, `python3-apt`, `nginx-1.26.2`):
 * never starting with `-`, so no name can be read as an option of apt-get or dnf.
 */
export const PACKAGE_NAME = /^[A-Za-z0-9_+][A-Za-z0-9_.+:~=*@-]{0,127}$/;

/** systemd unit names and init script names (`nginx`, `nginx.service`, `getty@tty1`). */
export const SERVICE_NAME = /^[A-Za-z0-9_:@][A-Za-z0-9_.:@\\-]{0,127}$/;

/** Octal permission bits as the scripts compare them: exactly 4 digits, e.g. `0644`. */
export const FILE_MODE = /^[0-7]{4}$/;

/**
 * Why a path cannot go to a script, or undefined when it can: absolute, normalised (no `.` or `..`
 * component, no `//`, no trailing `/`), no newline or NUL (the scripts' lists are line-based). A
 * normalised path cannot climb out of a folder it is mapped into (the transaction's stage).
 */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'is not an absolute path';
  if (/[\n\r\0]/.test(path)) return 'contains a newline or NUL';
  if (path !== '/' && path.endsWith('/')) return 'ends with /';
  if (/\/\/|\/\.\.?(\/|$)/.test(path)) return "is not normalised (it holds '//', '.' or '..')";
  return undefined;
}

/** Throws (a programming error: the schemas let no such value through) unless `value` matches. */
export function assertValue(value: string, rule: RegExp, what: string): string {
  if (!rule.test(value))
    throw new Error(`${what} is not valid for a remote script: ${JSON.stringify(value)}`);
  return value;
}

export function assertPath(path: string, what: string): string {
  const problem = pathProblem(path);
  if (problem) throw new Error(`${what} ${JSON.stringify(path)} ${problem}`);
  return path;
}
