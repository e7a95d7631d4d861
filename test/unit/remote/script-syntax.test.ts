import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  factsScript,
  installScript,
  opsScript,
  rollbackScript,
  scriptChunks,
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

describe('the facts program carries only the functions it can call (scripts.ts, prunedSources)', () => {
  const shDir = join(import.meta.dirname, '..', '..', '..', 'src', 'remote', 'sh');

  it('cuts every script file into pieces that parse on their own, a definition holding its one function', () => {
    for (const file of readdirSync(shDir).filter((f) => f.endsWith('.sh'))) {
      const source = readFileSync(join(shDir, file), 'utf8');
      const chunks = scriptChunks(source);
      const names = [...source.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)\(\)\s*\{/gm)].map((m) => m[1]);
      expect(
        chunks.flatMap((c) => (c.fn === undefined ? [] : [c.fn])),
        file,
      ).toEqual(names);
      for (const { fn, text } of chunks) {
        for (const shell of ['dash', 'bash'])
          expect(spawnSync(shell, ['-n'], { input: text }).status, `${file}: ${fn ?? 'top level'}`).toBe(0);
        if (fn === undefined) continue;
        // No start-up files and no inherited environment: they may define functions of their own
        // (a ~/.bashrc with pyenv's is read when bash thinks it runs under sshd).
        const defines = spawnSync('bash', ['--norc', '--noprofile', '-c', `${text}\ndeclare -F`], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH },
        }).stdout;
        expect(defines, `${file}: ${fn}`).toBe(`declare -f ${fn}\n`);
      }
    }
  });

  it('defines every function a run of it calls, for every kind of query', () => {
    const root = mkdtempSync(join(dir, 'pruned-'));
    const conf = join(root, 'a.conf');
    writeFileSync(conf, 'server {}\n');
    const script = factsScript({
      queries: [
        { kind: 'file', path: conf },
        { kind: 'file', path: join(root, 'a b.conf') },
        { kind: 'content', path: conf },
        { kind: 'content', path: conf, orRecord: 'sha256' },
        { kind: 'diff', path: conf, expected: '0'.repeat(64), maxBytes: 100 },
        { kind: 'package', name: 'nginx' },
        { kind: 'service', name: 'nginx' },
        { kind: 'apim-home', home: root },
        { kind: 'apim-home' },
      ],
      stateDir: join(root, 'state'),
      probeSysvServices: false,
    });
    expect(script).not.toContain('apim_put_files()');
    // bash runs it with a hook for commands it cannot find: a pruned function would be one.
    const run = spawnSync(
      'bash',
      ['-c', 'command_not_found_handle() { printf "missing %s\\n" "$1" >&2; return 127; }; eval "$(cat)"'],
      { input: script, encoding: 'utf8' },
    );
    expect(run.stderr).not.toMatch(/missing apim_/);
    expect(run.stdout).toContain('@@APIM done 1');
    expect(run.stdout).toContain('@@APIM content =');
  });
});
