/**
 * Issue 14, fuzz: inventories (YAML and INI; a local one and the example inventories of every
 * pattern), group_vars files and playbooks made of plausible pieces, broken in random ways, through
 * the real CLI entry in-process: `validate`, `render` and, of the local inventory only,
 * `apply --check` against 127.0.0.1 port 9 (closed: nothing reachable). Whatever the input, the
 * exit code is 0, 2, 3, 4 or 5 (never 1), no stack trace is printed, the output stays within a
 * size bound and each run ends within a time bound. Bounded in count and total time.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // Numbers YAML 1.1 and Python type their own way, or that overflow a double or a port.
    '1e400',
    '99999999999999999999',
    '0x7fffffffffffffffff',
    '0o17',
    '010',
    '1_000',
    '-0',
    '.inf',
    '.nan',
    // Anchors, aliases and merge keys; explicit tags.
    '&a { ansible_port: 9 }',
    '{ <<: *a }',
    '[*a, *a]',
    '!!int x',
    '!!binary aGk=',
    '!!python/object:os.system x',
    // Unicode a user may paste: letters, a zero-width space, a right-to-left override.
    'ünïcode.example',
    'лб1',
    'a\u200bb',
    '\u202eevil',
    // Task arguments: free-form, a mapping, a list, a percentage.
    'msg=hi',
    '{ cmd: "echo {{ x }}" }',
    '[a, b]',
    '150%',
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

/** Playbook keys: play and task keywords (supported or not) and module names, short and long. */
const playbookKey = fc.oneof(
  key,
  fc.constantFrom(
    'name',
    'tasks',
    'handlers',
    'become',
    'when',
    'notify',
    'listen',
    'tags',
    'args',
    'no_log',
    'serial',
    'max_fail_percentage',
    'gather_facts',
    'loop',
    'block',
    'include_tasks',
    'import_playbook',
    'roles',
    'environment',
    'debug',
    'command',
    'shell',
    'template',
    'copy',
    'file',
    'package',
    'service',
    'apim_lb_config',
    'nginx_reload',
    'ansible.builtin.command',
  ),
);

/** Names a user may give a group: the roles, the implicit ones, their own. */
const groupName = fc.constantFrom(
  'all',
  'ungrouped',
  'loadbalancers',
  'apim_all_in_one',
  'apim_gateway',
  'a',
  'b',
  'ünï',
);

/** Host names: plain, ranges, address:port, IPv6, unicode. */
const hostName = fc.constantFrom(
  'lb1',
  'apim1',
  'lb2',
  'lb[01:03]',
  'lb[3:1]',
  'lb[a:c]',
  '127.0.0.1:9',
  '[::1]:9',
  '192.0.2.11',
  'ünïcode',
  'лб1',
  'a..b',
  '-x',
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

const BASE_GROUP_VARS = ['ansible_user: deploy', 'apim_websocket: true'];

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

/**
 * One edit of a line list: insert or replace a `key: value` line (INI `key=value`), a host line, a
 * group (INI section header, `[g]`, `[g:children]` or `[g:vars]`), a list item (INI a bare host
 * or group name, as under `[g]` or `[g:children]`); delete a line; or
 * insert random text. Indentation is random, so YAML nesting breaks too.
 */
const editOf = (k: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.record({
      op: fc.constantFrom('insert' as const, 'replace' as const),
      at: fc.nat(),
      indent: fc.nat({ max: 10 }),
      k,
      v: scalar,
    }),
    fc.record({
      op: fc.constant('host' as const),
      at: fc.nat(),
      indent: fc.nat({ max: 10 }),
      name: hostName,
      k,
      v: scalar,
    }),
    fc.record({
      op: fc.constant('group' as const),
      at: fc.nat(),
      indent: fc.nat({ max: 10 }),
      name: groupName,
      suffix: fc.constantFrom('', ':children', ':vars'),
    }),
    fc.record({
      op: fc.constant('item' as const),
      at: fc.nat(),
      indent: fc.nat({ max: 10 }),
      name: fc.oneof(groupName, hostName),
      k,
      v: scalar,
    }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('raw' as const), at: fc.nat(), text: fc.string({ maxLength: 30 }) }),
  );
const edit = editOf(key);
const playbookEdit = editOf(playbookKey);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function editedLine(e: Exclude<Edit, { op: 'delete' | 'raw' }>, ini: boolean): string {
  const indent = ini ? '' : ' '.repeat(e.indent);
  switch (e.op) {
    case 'host':
      return ini ? `${e.name} ${e.k}=${e.v}` : `${indent}${e.name}: { ${e.k}: ${e.v} }`;
    case 'group':
      return ini ? `[${e.name}${e.suffix}]` : `${indent}${e.name}:`;
    case 'item':
      return ini ? e.name : `${indent}- ${e.k}: ${e.v}`;
    case 'insert':
    case 'replace':
      return ini ? `${e.k}=${e.v}` : `${indent}${e.k}: ${e.v}`;
  }
}

function applyEdits(lines: readonly string[], edits: Edit[], ini: boolean): string {
  const out = [...lines];
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    if (e.op === 'delete') out.splice(at, 1);
    else if (e.op === 'raw') out.splice(at, 0, e.text);
    else out.splice(at, e.op === 'replace' ? 1 : 0, editedLine(e, ini));
  }
  return out.join('\n') + '\n';
}

/**
 * The example inventories that need no other file: every pattern's shape (gateways, control planes,
 * traffic managers, 2.6/3.x/4.x). Their addresses are documentation ones, so they are validated and
 * rendered only: apply would contact them.
 */
const EXAMPLES_DIR = new URL('../../../inventories/', import.meta.url);
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((f) => readFileSync(new URL(f, EXAMPLES_DIR), 'utf8'))
  .filter((text) => !/_file\b|\.pem\b/.test(text))
  .map((text) => text.trimEnd().split('\n'));

const common = {
  inventoryEdits: fc.array(edit, { maxLength: 4 }),
  playbookEdits: fc.option(fc.array(playbookEdit, { maxLength: 3 }), { nil: undefined }),
  /** A group_vars file next to the inventory (Ansible reads it with the inventory), edited. */
  groupVars: fc.option(fc.record({ group: groupName, edits: fc.array(edit, { maxLength: 3 }) }), {
    nil: undefined,
  }),
};
const scenario = fc.oneof(
  fc.record({
    format: fc.constantFrom('yaml' as const, 'ini' as const),
    example: fc.constant(undefined),
    command: fc.constantFrom('validate', 'render', 'apply'),
    ...common,
  }),
  fc.record({
    format: fc.constant('yaml' as const),
    example: fc.nat({ max: EXAMPLES.length - 1 }),
    command: fc.constantFrom('validate', 'render'),
    ...common,
  }),
);
const baseOf = (s: { format: 'yaml' | 'ini'; example: number | undefined }): readonly string[] =>
  s.example !== undefined ? EXAMPLES[s.example]! : s.format === 'ini' ? BASE_INI : BASE_INVENTORY;

describe('fuzz: broken inventories and playbooks through the CLI', () => {
  it(
    'exit 0/2/3/4/5 only, no stack trace, bounded output and time',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'apim-fuzz-'));
      let n = 0;
      try {
        await fc.assert(
          fc.asyncProperty(scenario, async (s) => {
            // Removed after each run, inside the time bound: thousands of folders left to the end took
            // 41 s to remove on a busy disk, past the test's timeout.
            const dir = join(root, String(n++));
            mkdirSync(dir);
            try {
              const inventory = join(dir, s.format === 'ini' ? 'hosts.ini' : 'inventory.yml');
              writeFileSync(inventory, applyEdits(baseOf(s), s.inventoryEdits, s.format === 'ini'));
              if (s.groupVars) {
                mkdirSync(join(dir, 'group_vars'));
                writeFileSync(
                  join(dir, 'group_vars', `${s.groupVars.group}.yml`),
                  applyEdits(BASE_GROUP_VARS, s.groupVars.edits, false),
                );
              }
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
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
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
