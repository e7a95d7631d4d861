/**
 * Always single-quotes a string for a POSIX shell: one word whose value is exactly `s`. Single
 * quotes keep everything literal (newlines, `$`, backslashes); a single quote itself is written as
 * `'\''` (close, escaped quote, reopen). NUL cannot be part of any shell word, so it is refused.
 */
export function singleQuote(s: string): string {
  if (s.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Like singleQuote, but plain words stay bare so that commands shown to users read naturally. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+:,./-]+$/.test(s)) return s;
  return singleQuote(s);
}
