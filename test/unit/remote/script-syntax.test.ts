import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  factsScript,
  installScript,
  opsScript,
  rollbackScript,
  transactionScript,
} from '../../../src/remote/index.js';
import { baseTransaction, installs, rollbackOptions } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-syntax-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parses (does not run) a program with each shell; throws with the shell's message on a syntax error. */
function checkSyntax(name: string, script: string): void {
  const file = join(dir, `${name}.sh`);
  writeFileSync(file, script);
  for (const shell of ['dash', 'bash', 'sh']) {
    execFileSync(shell, ['-n', file], { stdio: 'pipe' });
  }
}

const programs: [string, string][] = [
  ['tx-full', transactionScript(baseTransaction)],
  [
    'tx-heal',
    transactionScript({
      ...baseTransaction,
      files: [],
      directories: [],
      deletes: [],
      records: { managers: [], files: [] },
      healthCheck: undefined,
    }),
  ],
  [
    'tx-novalidate',
    transactionScript({ ...baseTransaction, validate: false, reload: false, serviceManager: 'none' }),
  ],
  [
    'facts',
    factsScript({
      queries: [
        { kind: 'file', path: '/etc/nginx/a b.conf' },
        { kind: 'content', path: "/x/'q'" },
        { kind: 'package', name: 'nginx' },
        { kind: 'service', name: 'nginx.service' },
      ],
      stateDir: '/var/lib/apim-provision',
      probeSysvServices: false,
    }),
  ],
  [
    'facts-empty',
    factsScript({
      queries: [],
      stateDir: '/var/lib/apim-provision',
      confPath: '/etc/nginx/nginx.conf',
      probeSysvServices: true,
    }),
  ],
  [
    'ops',
    opsScript([
      { op: 'mkdir', path: '/srv/a' },
      { op: 'exec', argv: ['echo', "it's $(x)"], chdir: '/tmp' },
      { op: 'shell', script: 'echo "$HOME" | wc -c' },
      { op: 'package', manager: 'apt', action: 'install', names: ['nginx', 'curl'] },
      { op: 'service', manager: 'systemd', action: 'restart', name: 'nginx' },
    ]),
  ],
  ['rollback', rollbackScript(rollbackOptions)],
  ['rollback-id', rollbackScript({ ...rollbackOptions, snapshotId: 'run-1' })],
  ...Object.entries(installs).map(([name, spec]): [string, string] => [
    `install-${name}`,
    installScript(spec),
  ]),
];

describe('assembled programs are valid POSIX sh (dash and bash)', () => {
  it.each(programs)('%s parses', (name, script) => checkSyntax(name, script));

  it('uses no bashisms that dash would only catch at run time, and never traces', () => {
    for (const [, program] of programs) {
      const script = program
        .split('\n')
        .filter((line) => !/^\s*#/.test(line))
        .join('\n');
      expect(script).not.toMatch(
        /\[\[ |\bfunction\s+\w+|\blocal\s|<<<|\$'|\bsource\s|&>|\bdeclare\b|\bset -o pipefail/,
      );
      expect(script).not.toMatch(/set -x|set -o xtrace/);
    }
  });

  it('shellcheck finds nothing in the assembled programs (script files, input and all)', () => {
    const which = spawnSync('sh', ['-c', 'command -v shellcheck']);
    if (which.status !== 0)
      throw new Error('shellcheck is missing: scripts/ensure-lab-prereqs.sh --only shellcheck installs it');
    for (const [name, script] of programs) writeFileSync(join(dir, `${name}.sh`), script);
    const files = readdirSync(dir).filter((f) => f.endsWith('.sh'));
    // SC2317: functions reached only through the generated call of apim_main look unreachable.
    const run = spawnSync('shellcheck', ['-s', 'sh', '-e', 'SC2317', ...files], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
    // shellcheck over every assembled program (each holds lib.sh) took 39 s on 2 loaded CPUs, past
    // the unit project's 30 s default.
  }, 180_000);
});
