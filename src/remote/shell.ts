/** Path and sed helpers for the script generators (pure). */

/** Escapes a literal string for the pattern side of a sed `s#...#...#` (basic regular expression). */
export function sedPattern(literal: string): string {
  assertSedSafe(literal);
  return literal.replace(/[\\.[\]*^$#]/g, (c) => `\\${c}`);
}

/** Escapes a literal string for the replacement side of a sed `s#...#...#`. */
export function sedReplacement(literal: string): string {
  assertSedSafe(literal);
  return literal.replace(/[\\&#]/g, (c) => `\\${c}`);
}

function assertSedSafe(value: string): void {
  if (value.includes('\n')) throw new Error(`path contains a newline: ${JSON.stringify(value)}`);
}

/** `/etc/nginx/` -> `/etc/nginx`; keeps `/`. */
export function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** True when `path` is `dir` itself or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  const d = trimSlash(dir);
  return path === d || path.startsWith(`${d}/`);
}
