/**
 * Issue 14, fuzz: inventories (YAML and INI) and playbooks made of plausible pieces, broken in
 * random ways, through the real CLI entry in-process: `validate`, `render` and `apply --check`
 * against 127.0.0.1 port 9 (closed: nothing reachable). Whatever the input, the exit code is 0, 2,
 * 3, 4 or 5 (never 1), no stack trace is printed, the output stays within a size bound and each
 * run ends within a time bound. Bounded in count and total time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { captureOutput } from './support.js';

const output = captureOutput();

const RUNS = Number(process.env.APIM_FUZZ_RUNS ?? 60);
const TOTAL_MS = 90_000;
const PER_RUN_MS = 15_000;
const MAX_OUTPUT = 256 * 1024;

/** Exit codes a run over broken input may end with: the outcome of hosts, input, usage. */
const ALLOWED = new Set<number>([
  EXIT.OK,
  EXIT.HOST_FAILED,
  EXIT.UNREACHABLE,
  EXIT.INVALID_INPUT,
  EXIT.USAGE,
]);

const scalar = fc.oneof(
  fc.constantFrom(
    'single-node',
    '4.x',
    '3.2.0',
    'true',
    'no',
    '~',
    '127.0.0.1',
    '9',
    '{{ inventory_hostname }}',
    '{{ x | default("y") }}',
    '{{ range.constructor("return 1")() }}',
    "{{ 'x' | center(100000000) }}",
    '{% for i in range(10) %}{{ i }}{% endfor %}',
    '*a',
    '&a x',
    '!unsafe "{{ x }}"',
    '!vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  00',
    '"a\\nb"',
    "'\u001b[31m'",
    '../../etc/passwd',
    'https://m.example/x\n[trusted=yes]',
    '[1, 2',
    '{a: 1}',
    '',
  ),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 70000 }).map(String),
);

const key = fc.oneof(
  fc.constantFrom(
    'ansible_host',
    'ansible_port',
    'ansible_user',
    'ansible_become',
    'ansible_ssh_retries',
    'ansible_ssh_timeout',
    'apim_pattern',
    'apim_version',
    'apim_hostnames',
    'apim_upstream_tls_verify',
    'apim_proxy_context_path',
    'nginx_edition',
    'nginx_repo_url',
    'tls_mode',
    'hosts',
    'children',
    'vars',
    '<<',
  ),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
);

/** A valid local inventory: the fuzz mutates it. */
const BASE_INVENTORY = [
  'all:',
  '  vars:',
  '    ansible_user: deploy',
  '    apim_pattern: single-node',
  '    apim_upstream_tls_verify: false',
  '    ansible_ssh_retries: 0',
  '  children:',
  '    loadbalancers:',
  '      hosts:',
  '        lb1: { ansible_host: 127.0.0.1, ansible_port: 9 }',
  '    apim_all_in_one:',
  '      hosts:',
  '        apim1: { apim_address: 192.0.2.10 }',
];

const BASE_PLAYBOOK = [
  '- name: site',
  '  hosts: loadbalancers',
  '  vars:',
  '    greeting: hello',
  '  tasks:',
  '    - name: say',
  '      debug: { msg: "{{ greeting }}" }',
];

const BASE_INI = [
  '[loadbalancers]',
  'lb1 ansible_host=127.0.0.1 ansible_port=9 ansible_ssh_retries=0',
  '',
  '[apim_all_in_one]',
  'apim1 apim_address=192.0.2.10',
  '',
  '[all:vars]',
  'apim_pattern=single-node',
  'apim_upstream_tls_verify=false',
];

/** One edit of a line list: insert, replace or delete a line, or break indentation. */
const edit = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    indent: fc.nat({ max: 10 }),
    k: key,
    v: scalar,
  }),
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    indent: fc.nat({ max: 10 }),
    k: key,
    v: scalar,
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('raw' as const), at: fc.nat(), text: fc.string({ maxLength: 30 }) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdits(lines: readonly string[], edits: Edit[], ini: boolean): string {
  const out = [...lines];
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    if (e.op === 'delete') out.splice(at, 1);
    else if (e.op === 'raw') out.splice(at, 0, e.text);
    else {
      const line = ini ? `${e.k}=${e.v}` : `${' '.repeat(e.indent)}${e.k}: ${e.v}`;
      out.splice(at, e.op === 'replace' ? 1 : 0, line);
    }
  }
  return out.join('\n') + '\n';
}

const scenario = fc.record({
  format: fc.constantFrom('yaml', 'ini'),
  inventoryEdits: fc.array(edit, { maxLength: 4 }),
  playbookEdits: fc.option(fc.array(edit, { maxLength: 3 }), { nil: undefined }),
  command: fc.constantFrom('validate', 'render', 'apply'),
});

describe('fuzz: broken inventories and playbooks through the CLI', () => {
  it(
    'exit 0/2/3/4/5 only, no stack trace, bounded output and time',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'apim-fuzz-'));
      let n = 0;
      try {
        await fc.assert(
          fc.asyncProperty(scenario, async (s) => {
            const dir = join(root, String(n++));
            mkdirSync(dir);
            const inventory = join(dir, s.format === 'ini' ? 'hosts.ini' : 'inventory.yml');
            writeFileSync(
              inventory,
              applyEdits(
                s.format === 'ini' ? BASE_INI : BASE_INVENTORY,
                s.inventoryEdits,
                s.format === 'ini',
              ),
            );
            const argv = [s.command, '-i', inventory];
            if (s.playbookEdits) {
              const playbook = join(dir, 'play.yml');
              writeFileSync(playbook, applyEdits(BASE_PLAYBOOK, s.playbookEdits, false));
              if (s.command !== 'render') argv.push(playbook);
            }
            if (s.command === 'apply') argv.push('--check', '--known-hosts', join(dir, 'known_hosts'));
            output.clear();
            const started = Date.now();
            const code = await main(argv);
            const elapsed = Date.now() - started;
            const text = output.stdout + output.stderr;
            const context = `${argv.join(' ')}\n${text.slice(0, 2000)}`;
            expect(ALLOWED.has(code), `exit ${code}: ${context}`).toBe(true);
            expect(text, context).not.toContain('unexpected error');
            expect(text, context).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
            expect(text.length, context).toBeLessThan(MAX_OUTPUT);
            expect(elapsed, context).toBeLessThan(PER_RUN_MS);
          }),
          {
            numRuns: RUNS,
            interruptAfterTimeLimit: TOTAL_MS,
            seed: Number(process.env.APIM_FUZZ_SEED ?? Date.now() % 2 ** 31),
          },
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
    TOTAL_MS + 60_000,
  );
});
