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
    text = readFileSync(new URL(`${file}.sh`, SH_DIR), 'utf8');
    scriptSources.set(file, text);
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
    ...PROGRAMS[name].map(scriptSource),
    '# ---- input ----',
    input.text(),
    'apim_main',
    '}',
    '',
  ].join('\n');
}
