import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../../src/input/diagnostics.js';
import { MODULE_CATALOG } from '../../../src/modules/index.js';
import { loadPlaybook } from '../../../src/playbook/load-playbook.js';

/** Writes a playbook (and files next to it) into a fresh folder; returns the playbook path. */
export function writePlaybook(text: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'apim-playbook-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const file = join(dir, 'site.yml');
  writeFileSync(file, text);
  return file;
}

export function load(text: string, files: Record<string, string> = {}) {
  return loadPlaybook(writePlaybook(text, files), MODULE_CATALOG);
}

/** The diagnostics as "line:column message" strings, for compact assertions. */
export function where(diags: Diagnostic[]): string[] {
  return diags.map((d) => `${d.line}:${d.column} ${d.message}`);
}

/** A one-play playbook around the given task lines (each already indented by 4 spaces). */
export function playWithTasks(tasks: string, extra = ''): string {
  return `- name: test\n  hosts: loadbalancers\n${extra}  tasks:\n${tasks}`;
}
