/**
 * apim_node_pids (src/remote/sh/node.sh): the Carbon processes running from CARBON_HOME, found by
 * the first -Dcarbon.home argument of each process (links resolved), with a fixed number of
 * processes however many run on the host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptSource } from '../../../src/remote/index.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { runSh, SHELLS } from './traced-sh.js';

const base = mkdtempSync(join(tmpdir(), 'apim-node-pids-'));
const home = join(base, 'wso2am-4.2.0');
const other = join(base, 'wso2am-other');
mkdirSync(home);
mkdirSync(other);
symlinkSync(home, join(base, 'current'));

// `sh -c 'sleep; :'` keeps the shell (and its arguments) alive: no exec of the last command.
const started: ChildProcess[] = [];
const run = (...args: string[]) => {
  const p = spawn('sh', ['-c', 'sleep 60; :', 'java', ...args], { stdio: 'ignore' });
  started.push(p);
  return p.pid!;
};
const byLink = run('-Xmx1g', `-Dcarbon.home=${join(base, 'current')}`, 'org.wso2.Main');
const direct = run(`-Dcarbon.home=${home}`);
const otherFirst = run(`-Dcarbon.home=${other}`, `-Dcarbon.home=${home}`);
const inside = run(`-Dfoo=-Dcarbon.home=${home}`);
const otherHome = run(`-Dcarbon.home=${other}`);
afterAll(() => {
  for (const p of started) p.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

describe.each(SHELLS)('apim_node_pids (%s)', (shell) => {
  it('finds the processes whose first -Dcarbon.home is CARBON_HOME, with a fixed number of programs', () => {
    const program = [
      scriptSource('lib'),
      scriptSource('node'),
      `CARBON_HOME=${singleQuote(home)}`,
      'apim_node_pids',
    ].join('\n');
    const log = join(base, `strace-${shell.replace(' ', '-')}.log`);
    const { out, execs } = runSh(program, { shell, log });
    const pids = out.split('\n').filter(Boolean).map(Number);
    expect(pids.sort()).toEqual([byLink, direct].sort());
    expect(pids).not.toContain(otherFirst);
    expect(pids).not.toContain(inside);
    expect(pids).not.toContain(otherHome);
    // grep and tr once, a readlink per candidate (the four here with a -Dcarbon.home first, plus
    // any other Carbon process this machine runs): nothing per process of the host.
    expect(execs.filter((e) => e === 'grep' || e === 'tr')).toHaveLength(2);
    expect(execs.filter((e) => !['grep', 'tr', 'readlink'].includes(e))).toEqual([]);
  });
});
