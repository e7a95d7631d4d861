import { readFileSync } from 'node:fs';
import type { ScriptInput } from './script-input.js';

/** The shell files of src/remote/sh (copied next to the compiled code by `npm run build`). */
export type ScriptFile =
  | 'lib'
  | 'state'
  | 'nginx'
  | 'snapshot'
  | 'facts'
  | 'node-facts'
  | 'ops'
  | 'install'
  | 'commit'
  | 'transaction'
  | 'rollback'
  | 'node'
  | 'node-transaction';

/** The programs run on hosts, and the files each is assembled from (shared functions first). */
export const PROGRAMS = {
  facts: ['lib', 'nginx', 'node-facts', 'facts'],
  ops: ['lib', 'ops'],
  install: ['lib', 'install'],
  transaction: ['lib', 'state', 'nginx', 'snapshot', 'commit', 'transaction'],
  rollback: ['lib', 'state', 'nginx', 'snapshot', 'rollback'],
  'node-transaction': ['lib', 'state', 'snapshot', 'commit', 'node', 'node-transaction'],
} as const satisfies Record<string, readonly ScriptFile[]>;
export type ProgramName = keyof typeof PROGRAMS;

/** Run logs ($STATE/runs/<run>.log) kept on a host; older ones are removed by the next run. */
export const RUN_LOGS_TO_KEEP = 100;

const SH_DIR = new URL('./sh/', import.meta.url);

/**
 * The text of each script file, read on first use. A Map, so the integration suite's test-only CLI
 * entry can insert its pause at the transaction's marked hook point; the shipped CLI never changes it.
 */
export const scriptSources = new Map<ScriptFile, string>();

export function scriptSource(file: ScriptFile): string {
  let text = scriptSources.get(file);
  if (text === undefined) {
    text = compactScript(readFileSync(new URL(`${file}.sh`, SH_DIR), 'utf8'));
    scriptSources.set(file, text);
  }
  return text;
}

/**
 * Comments that stay: the transaction's test-only pause point (docs/architecture.md), and
 * shellcheck's directives (the assembled programs are checked too, script-syntax.test.ts).
 */
const KEPT_COMMENT = /^#\s*(apim-test-hook:|shellcheck )/;
const HEREDOC = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/g;

type Quote = "'" | '"' | undefined;

/** The quote still open at the end of `line` when `open` was open at its start (# ends the scan). */
function quoteAfter(line: string, open: Quote): Quote {
  let quote = open;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') i++;
    else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /[\s;&|()]/.test(line[i - 1]!))) break;
  }
  return quote;
}

/**
 * The script as it goes to hosts: without its comment lines, blank lines and indentation (a third
 * of the files' bytes, which every program carries to every host on every run: the controller
 * copies, encrypts and sends them, the host's shell reads them). Here-documents and the lines of a
 * quoted string spanning lines (an awk program, an `sh -c` script) stay as written.
 * test/unit/remote/script-compact.test.ts proves with bash's own parser that every shipped file
 * means the same once compacted.
 */
export function compactScript(text: string): string {
  const out: string[] = [];
  const heredocEnds: { word: string; tabs: boolean }[] = [];
  let quote: Quote;
  for (const line of text.split('\n')) {
    const end = heredocEnds[0];
    if (end !== undefined) {
      out.push(line);
      if ((end.tabs ? line.replace(/^\t+/, '') : line) === end.word) heredocEnds.shift();
      continue;
    }
    if (quote !== undefined) {
      out.push(line);
      quote = quoteAfter(line, quote);
      continue;
    }
    const code = line.trimStart();
    if (code === '' || (code.startsWith('#') && !KEPT_COMMENT.test(code))) continue;
    out.push(code);
    quote = quoteAfter(code, undefined);
    for (const match of code.matchAll(HEREDOC))
      heredocEnds.push({ word: match[2]!, tabs: match[0].startsWith('<<-') });
  }
  return `${out.join('\n')}\n`;
}

/**
 * A complete program: the script files, then the generated input, then `apim_main`. Everything is
 * one `{ ... }` group so the shell parses all of it before running anything: with `sh -s` the
 * program arrives on stdin (the transport sends it so, secrets and all), and once whole it makes
 * stdin /dev/null, so no command it runs can read what is left of the stream. HUP and PIPE are ignored so a dropped SSH connection cannot stop it half-way; it lives in
 * sh's memory only, so a connection cut mid-run leaves no file (nor secret) behind. The title line
 * names the program.
 */
export function program(name: ProgramName, title: string, input: ScriptInput): string {
  if (/[\r\n]/.test(title)) throw new Error('a script title is one line');
  return [
    '#!/bin/sh',
    `# apim-provision ${name}: ${title}`,
    '{',
    "trap '' HUP PIPE",
    'exec </dev/null',
    ...PROGRAMS[name].map(scriptSource),
    '# ---- input ----',
    input.text(),
    'apim_main',
    '}',
    '',
  ].join('\n');
}
