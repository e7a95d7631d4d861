import { singleQuote } from './shell-quote.js';

/** The command line of every program: the shell reads it from stdin, so nothing of it is on argv. */
export const SH_STDIN = 'sh -s';

/**
 * What goes on the channel's stdin for `program`: one `{ }` group, so sh reads and parses all of
 * it before running any of it. A stream cut half-way (a dropped connection) runs nothing: sh meets
 * the end of input before the closing brace and stops with a syntax error. `marker` (the become
 * probe's, become-detect.ts) is the group's first command, so it too only runs with the whole.
 */
export function programStdin(program: string, marker?: string): Buffer {
  const head = marker === undefined ? '{\n' : `{\necho ${singleQuote(marker)}\n`;
  // The newline ends a last line that has none (a comment would swallow the brace).
  return Buffer.from(`${head}${program}\n}\n`);
}
