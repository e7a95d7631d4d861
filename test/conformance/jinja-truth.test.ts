/**
 * Jinja truth conformance: every case of jinja-truth-cases.ts evaluated by the real ansible-playbook
 * (one play on localhost, connection local, one task per case) must give the recorded answer, and
 * so must apim-provision. Expressions are read through `to_json` (a `=` in front keeps Ansible
 * from turning the JSON text back into data), texts as rendered, conditions by whether the task
 * ran; a case that fails in Ansible must fail here too.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { oracleEnv } from './ansible-env.js';
import {
  ourOutcome,
  TRUTH_CASES,
  TRUTH_VARS,
  type TruthCase,
  type TruthOutcome,
} from './jinja-truth-cases.js';

const MARKER = 'JINJA-TRUTH-RESULTS:';

function task(c: TruthCase, i: number): Record<string, unknown> {
  const common = { register: `case_${i}`, ignore_errors: true };
  switch (c.kind) {
    case 'expr':
      return { ...common, set_fact: { result: `={{ (${c.source}) | to_json }}` } };
    case 'text':
      return { ...common, set_fact: { result: `=${c.source}` } };
    case 'when':
      return { ...common, debug: { msg: 'ran' }, when: c.source };
  }
}

interface Registered {
  failed?: boolean;
  skipped?: boolean;
  ansible_facts?: { result: string };
}

function theirOutcome(c: TruthCase, r: Registered): TruthOutcome {
  if (r.failed) return { error: true };
  if (c.kind === 'when') return { ran: !r.skipped };
  const result = r.ansible_facts!.result.slice(1);
  return c.kind === 'expr' ? { value: JSON.parse(result) as unknown } : { output: result };
}

async function runAnsible(): Promise<Registered[]> {
  const dir = mkdtempSync(join(tmpdir(), 'apim-jinja-truth-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\n');
  const names = TRUTH_CASES.map((_, i) => `'case_${i}': case_${i}`).join(', ');
  const play = [
    {
      hosts: 'localhost',
      connection: 'local',
      gather_facts: false,
      vars: TRUTH_VARS,
      tasks: [
        ...TRUTH_CASES.map(task),
        { debug: { msg: `${MARKER}{{ {${names}} | to_json | b64encode }}` } },
      ],
    },
  ];
  // JSON is YAML: the playbook is written as JSON, so no value changes type on the way.
  writeFileSync(join(dir, 'truth.yml'), JSON.stringify(play));
  const r = await execa('ansible-playbook', ['-i', 'localhost,', join(dir, 'truth.yml')], {
    env: oracleEnv(home, join(dir, 'ansible.cfg')),
    cwd: dir,
    reject: false,
    all: true,
  });
  const encoded = new RegExp(`${MARKER}([A-Za-z0-9+/=]+)`).exec(r.all)?.[1];
  if (r.exitCode !== 0 || encoded === undefined) throw new Error(`ansible-playbook failed:\n${r.all}`);
  const results = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, Registered>;
  return TRUTH_CASES.map((_, i) => results[`case_${i}`]!);
}

describe('Jinja truth conformance (ansible-playbook)', () => {
  it(`agrees with Ansible on all ${TRUTH_CASES.length} cases`, async () => {
    const registered = await runAnsible();
    const table = TRUTH_CASES.map((c, i) => ({
      case: `${c.kind} ${JSON.stringify(c.source)}`,
      recorded: c.expect,
      ansible: theirOutcome(c, registered[i]!),
      ours: ourOutcome(c),
    }));
    expect(table.filter((row) => !isDeepStrictEqual(row.ansible, row.recorded))).toEqual([]);
    expect(table.filter((row) => !isDeepStrictEqual(row.ours, row.ansible))).toEqual([]);
  });
});
