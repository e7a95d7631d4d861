/**
 * Quotes a string for a POSIX shell: the result is one word whose value is exactly `s`.
 * Single quotes keep everything literal (newlines, `$`, backslashes); a single quote itself is
 * written as `'\''` (close, escaped quote, reopen).
 */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
