import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScriptInput } from './script-input.js';

/** The shell files of src/remote/sh, which programs are assembled from. */
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
 * entry (run from src/) can insert its pause at the transaction's marked hook point before the first
 * program is assembled; the shipped CLI never changes it.
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
 * Programs that carry only the functions they can call: the facts program is every run's first
 * round trip (a no-op's only one), and its host's shell parses all of it before running any of it;
 * most of lib.sh and nginx.sh is the transaction's. The other programs ship their files whole.
 */
const PRUNED: ReadonlySet<ProgramName> = new Set(['facts']);

/** One piece of a script file: top-level code, or the definition of function `fn`, compacted. */
interface Chunk {
  fn?: string;
  text: string;
}

const FUNCTION_START = /^([A-Za-z_][A-Za-z0-9_]*)\(\)\s*\{/;
/** What may follow a function's closing `}`: a blank or comment line, a definition, an assignment. */
const AFTER_FUNCTION = /^(\s*$|#|[A-Za-z_][A-Za-z0-9_]*(\(\)|=))/;

/**
 * A script file cut into its function definitions and the top-level code between them. A
 * definition starts with `name() {` at the start of a line and ends on that line when the line ends
 * with `}`, else at the next line that is `}` alone and followed by what may follow a function (a
 * `${x#*<newline>}` inside one leaves a `}` alone too, with the function's code after it): the
 * files' formatting, which script-syntax.test.ts checks (every piece parses on its own). Comment
 * lines go with the code after them.
 */
export function scriptChunks(source: string): Chunk[] {
  const chunks: Chunk[] = [];
  let pending: string[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fn = FUNCTION_START.exec(line)?.[1];
    if (fn === undefined) {
      pending.push(line);
      continue;
    }
    if (pending.length > 0) {
      const top = pending.filter((l) => !/^\s*(#.*)?$/.test(l));
      const comments = top.length === 0 ? pending : [];
      if (top.length > 0) chunks.push({ text: pending.join('\n') });
      pending = comments;
    }
    const body = [...pending, line];
    pending = [];
    if (!/\}\s*$/.test(line)) {
      while (++i < lines.length && !(lines[i] === '}' && AFTER_FUNCTION.test(lines[i + 1] ?? '')))
        body.push(lines[i]!);
      if (i === lines.length) throw new Error(`function ${fn} does not end with a line \`}\``);
      body.push('}');
    }
    chunks.push({ fn, text: body.join('\n') });
  }
  if (pending.length > 0) chunks.push({ text: pending.join('\n') });
  return chunks.map((c) => ({ ...c, text: compactScript(c.text) })).filter((c) => c.text !== '\n');
}

/** Top-level code that only sets variables to plain words (`APIM_EUID=`), one a line. */
const PLAIN_SETTINGS = /^(?:[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_./-]*\n)+$/;

/**
 * The files of `name` with only the functions reachable from its top-level code and apim_main: a
 * function is kept when a kept piece names it, or names a prefix of it before a `$` (a name put
 * together at run time, such as ops.sh's `"apim_op_$op"`); a piece of plain settings when a kept
 * piece names one of its variables.
 */
function prunedSources(name: ProgramName): string[] {
  const files = PROGRAMS[name].map((file) =>
    scriptChunks(readFileSync(new URL(`${file}.sh`, SH_DIR), 'utf8')),
  );
  // Functions by name, and the top-level pieces that only give variables a plain value by each name.
  const defined = new Map<string, Chunk>();
  const settings = new Map<string, Chunk>();
  for (const chunk of files.flat()) {
    if (chunk.fn !== undefined) defined.set(chunk.fn, chunk);
    else if (PLAIN_SETTINGS.test(chunk.text))
      for (const [, variable] of chunk.text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm))
        settings.set(variable!, chunk);
  }
  const kept = new Set<Chunk>();
  const queue: Chunk[] = [];
  const keep = (chunk: Chunk | undefined) => {
    if (chunk && !kept.has(chunk)) {
      kept.add(chunk);
      queue.push(chunk);
    }
  };
  for (const chunk of files.flat())
    if (chunk.fn === undefined && !PLAIN_SETTINGS.test(chunk.text)) keep(chunk);
  keep(defined.get('apim_main'));
  for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
    for (const [, word, dollar] of chunk.text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(\$?)/g)) {
      keep(defined.get(word!));
      keep(settings.get(word!));
      if (dollar) for (const [fn, c] of defined) if (fn.startsWith(word!)) keep(c);
    }
  }
  return files.map((chunks) =>
    chunks
      .filter((c) => kept.has(c))
      .map((c) => c.text)
      .join(''),
  );
}

/**
 * The script files of program `name` as it carries them (compacted, pruned), one text. `npm run
 * build` writes each program's text next to the bundle (scripts/build.mjs), so that the shipped CLI
 * reads one file instead of compacting and pruning the sources on every run (~4-5 ms of a no-op).
 */
export function programScripts(name: ProgramName): string {
  return (PRUNED.has(name) ? prunedSources(name) : PROGRAMS[name].map(scriptSource)).join('\n');
}

/**
 * `true` in the bundle only (scripts/build.mjs defines it), whose build wrote every program to
 * dist/bundle/programs/<name>.sh from src/remote/sh as it was then (the build starts from an empty
 * dist/; the bundle carries no shell sources). Run from src/ (tests, tsx, the fault suite's hooked
 * CLI) it is not defined and each program is assembled from the sources as they are now, whatever
 * an earlier build left in dist/.
 */
declare const APIM_BUILT_PROGRAMS: true | undefined;

/** Where the build writes each program's scripts (dist/bundle/programs/<name>.sh). */
const BUILT_PROGRAMS = new URL('./programs/', import.meta.url);

function builtProgram(name: ProgramName): string {
  const file = new URL(`${name}.sh`, BUILT_PROGRAMS);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `${fileURLToPath(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): an incomplete build; run npm run build`,
      { cause: error },
    );
  }
}

const programTexts = new Map<ProgramName, string>();

function programText(name: ProgramName): string {
  let text = programTexts.get(name);
  if (text === undefined) {
    text = typeof APIM_BUILT_PROGRAMS === 'undefined' ? programScripts(name) : builtProgram(name);
    programTexts.set(name, text);
  }
  return text;
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
    programText(name),
    '# ---- input ----',
    input.text(),
    'apim_main',
    '}',
    '',
  ].join('\n');
}
