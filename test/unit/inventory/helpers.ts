import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../../src/input/diagnostics.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';

/** Removes the common leading indentation of a template literal, so YAML can be written indented in tests. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Writes files (paths relative to a fresh temp folder) and returns the folder. */
export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'apim-inv-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Loads `inventory.yml` written (dedented) into a temp folder together with the other files. */
export function loadText(inventory: string, other: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  const dir = writeTree({ 'inventory.yml': dedent(inventory), ...other });
  const file = join(dir, 'inventory.yml');
  return { file, dir, ...loadInventory(file, { env: { HOME: dir, ...env } }) };
}

/** 1-based line of the first line of `text` (dedented) containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = dedent(text)
    .split('\n')
    .findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in text`);
  return i + 1;
}

/** The one diagnostic whose message contains `fragment` (fails loudly when there is none). */
export function diag(diagnostics: Diagnostic[], fragment: string): Diagnostic {
  const found = diagnostics.filter((d) => d.message.includes(fragment));
  if (found.length !== 1) {
    throw new Error(
      `expected one diagnostic with "${fragment}", got ${found.length}:\n${diagnostics.map((d) => `${d.key}: ${d.message}`).join('\n')}`,
    );
  }
  return found[0]!;
}

export function errors(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** A valid single-node inventory body to extend in tests. */
export const SINGLE_NODE = `
  all:
    vars:
      apim_pattern: single-node
    children:
      loadbalancers:
        hosts:
          lb1:
            ansible_host: 198.51.100.10
      apim_all_in_one:
        hosts:
          apim1:
            ansible_host: 192.0.2.10
`;

/** A single-node inventory (one load balancer on 127.0.0.1) with `vars` added to all.vars. */
export function singleNodeWith(vars: Record<string, string>): string {
  const lines = Object.entries(vars).map(([k, v]) => `        ${k}: ${JSON.stringify(v)}`);
  return [
    '',
    '    all:',
    '      vars:',
    '        apim_pattern: single-node',
    ...lines,
    '      children:',
    '        loadbalancers:',
    '          hosts:',
    '            lb1: { ansible_host: 127.0.0.1 }',
    '        apim_all_in_one:',
    '          hosts:',
    '            apim1: { ansible_host: 192.0.2.10 }',
    '',
  ].join('\n');
}
