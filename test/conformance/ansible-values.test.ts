/**
 * Values written as Ansible writes them: every case of ansible-values-cases.ts is one `copy` task,
 * run by the real ansible-playbook (localhost, connection local, into a temporary folder) and by
 * apim-provision's engine (an in-memory host), from the same YAML. The files each writes must be
 * the recorded bytes, and the same.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { oracleEnv } from './ansible-env.js';
import {
  CONTENT_CASES,
  contentTasks,
  INVENTORY_VARS,
  ourContents,
  VALUE_VARS,
} from './ansible-values-cases.js';

async function ansibleContents(): Promise<(string | null)[]> {
  const dir = mkdtempSync(join(tmpdir(), 'apim-ansible-values-'));
  const home = join(dir, 'home');
  const out = join(dir, 'out');
  mkdirSync(home);
  mkdirSync(out);
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\n');
  writeFileSync(
    join(dir, 'inventory.yml'),
    `all:\n  vars:\n${INVENTORY_VARS}  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n`,
  );
  writeFileSync(
    join(dir, 'values.yml'),
    `- hosts: localhost\n  gather_facts: false\n  vars:\n${VALUE_VARS}    out_dir: ${JSON.stringify(out)}\n  tasks:\n${contentTasks()}`,
  );
  const r = await execa('ansible-playbook', ['-i', join(dir, 'inventory.yml'), join(dir, 'values.yml')], {
    env: oracleEnv(home, join(dir, 'ansible.cfg')),
    cwd: dir,
    reject: false,
    all: true,
  });
  if (r.exitCode !== 0) throw new Error(`ansible-playbook failed:\n${r.all}`);
  return CONTENT_CASES.map((_, i) => {
    const file = join(out, `case_${i}`);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  });
}

describe('values written as Ansible writes them (ansible-playbook)', () => {
  it(`agrees with Ansible on all ${CONTENT_CASES.length} copy cases`, async () => {
    const [theirs, ours] = await Promise.all([ansibleContents(), ourContents()]);
    const table = CONTENT_CASES.map((c, i) => ({
      case: `${c.content}${c.when !== undefined ? ` when ${c.when}` : ''}`,
      recorded: c.expect,
      ansible: theirs[i],
      ours: ours[i],
    }));
    expect(table.filter((row) => row.ansible !== row.recorded)).toEqual([]);
    expect(table.filter((row) => row.ours !== row.ansible)).toEqual([]);
  });
});
