import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { Secret } from '../../../src/domain/secret.js';
import {
  BecomeRunner,
  sudoProbeLine,
  type BecomeHost,
  type BecomeTarget,
} from '../../../src/transport/become-detect.js';
import { ShellSession } from '../../../src/transport/shell-session.js';
import { sessionFrame } from '../../../src/transport/session-frame.js';
import { BecomeError, type ExecResult } from '../../../src/transport/types.js';
import { localChannel } from './support/local-channel.js';

const PASSWORD = 'sudo-pw-4411';

interface Call {
  line: string;
  stdin: string;
  timeoutMs?: number;
}

/** A rule's answer; `ended`: the shell is gone after it; `started: false`: sudo refused, nothing ran. */
type Answer = ExecResult & { ended?: boolean; started?: boolean };

/** The marker every fake shell frames its programs with. */
const SESSION = 'apim-provision session 0000000000000000';

/**
 * A fake host: answers each command line with the first matching rule. A shell's exchanges are
 * one call each: its preamble (the password line) when it waits to be ready, then one per frame.
 */
function fakeHost(rules: [RegExp, (stdin: string) => Answer][]) {
  const calls: Call[] = [];
  const shells: string[] = [];
  const answer = async (line: string, stdin: string, timeoutMs?: number): Promise<Answer> => {
    calls.push({ line, stdin, ...(timeoutMs ? { timeoutMs } : {}) });
    await new Promise((resolve) => setImmediate(resolve));
    const rule = rules.find(([pattern]) => pattern.test(line));
    if (!rule) throw new Error(`unexpected command ${line}`);
    return rule[1](stdin);
  };
  const host: BecomeHost = {
    openShell: async (line, preamble) => {
      shells.push(line);
      let open = true;
      let pending = preamble?.toString() ?? '';
      return {
        get open() {
          return open;
        },
        ready: async () => {
          const { ended, started: _, ...result } = await answer(line, pending);
          pending = '';
          if (!ended) return { ready: true, code: undefined, stdout: '', stderr: '' };
          open = false;
          return { ready: false, ...result };
        },
        run: async (program, timeoutMs) => {
          if (!open) throw new Error('a program sent to a shell that is gone');
          const stdin = pending + frame(program);
          pending = '';
          const { ended, started = true, ...result } = await answer(line, stdin, timeoutMs);
          if (ended) open = false;
          return { ...result, started };
        },
      };
    },
  };
  return { host, calls, shells };
}

const frame = (program: string) => sessionFrame(program, SESSION).toString();

const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
const target = (overrides: Partial<BecomeTarget> = {}): BecomeTarget => ({
  hostName: 'lb1',
  loginUser: 'deploy',
  becomeUser: 'root',
  ...overrides,
});

function promptOf(line: string): string {
  return /-p '([^']+)'/.exec(line)![1]!;
}

/** The program in a frame. */
function programOf(stdin: string): string {
  return /\(\n([\s\S]*)\n\) <\/dev\/null\n/.exec(stdin)![1]!;
}

/** sudo let the probe run: what the program printed. */
const ranAs = (result: ExecResult) => (): Answer => result;

/** The fake shell answers each frame with what its program printed: `echo <word>` prints the word. */
const echoes = (stdin: string): Answer => ok(`${programOf(stdin).replace(/^echo /, '')}\n`);

const refused = (stderr: string) => (): Answer => ({
  code: 1,
  stdout: '',
  stderr,
  ended: true,
  started: false,
});
const PROBE = /^sh -c 'command -v sudo .*; exec sudo -H -k -n -u root -- sh -s'$/;
const PASSWORDLESS = /^sudo -H -k -n -u root -- sh -s$/;
const WITH_PASSWORD =
  /^sudo -H -k -S -p '[^']+' -u root -- sh -c 'echo apim-provision-sudo-ready; exec sh -s'$/;
const FACTS = { program: 'echo facts' };
const FACTS_STDIN = frame(FACTS.program);

function runner(overrides: Partial<BecomeTarget>, rules: Parameters<typeof fakeHost>[0]) {
  const host = fakeHost(rules);
  return { host, become: new BecomeRunner(target(overrides), host.host) };
}

describe('BecomeRunner', () => {
  it('runs programs directly when the login user is the become user', async () => {
    const { host, become } = runner({ loginUser: 'root' }, [[/^sh -s$/, () => ok('facts\n')]]);
    expect(await become.run(FACTS)).toEqual(ok('facts\n'));
    expect(host.calls).toEqual([{ line: 'sh -s', stdin: FACTS_STDIN }]);
  });

  it('fails clearly when sudo is missing, and again for later commands, with no new round trip', async () => {
    const { host, become } = runner({}, [
      [
        /command -v sudo/,
        () => ({ code: 127, stdout: 'apim-provision: no sudo\n', stderr: '', ended: true, started: false }),
      ],
    ]);
    for (let i = 0; i < 2; i++) {
      const error = await become.run(FACTS).catch((e: Error) => e);
      expect(error).toBeInstanceOf(BecomeError);
      expect((error as Error).message).toMatch(
        /sudo is not installed on host lb1.*install sudo.*connect as root/,
      );
    }
    expect(host.calls).toHaveLength(1);
  });

  it('its line tells, in sh, a missing sudo, a refusing sudo and a program sudo ran that failed', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'apim-sudo-probe-'));
    try {
      for (const tool of ['sh', 'cat']) symlinkSync(`/bin/${tool}`, join(bin, tool));
      const session = () => new ShellSession(localChannel(sudoProbeLine('root'), { PATH: bin }));
      expect(await session().run('cat')).toMatchObject({
        started: false,
        code: 127,
        stdout: 'apim-provision: no sudo\n',
      });
      // A stand-in sudo that records its arguments and refuses, as sudo -n does without NOPASSWD.
      const sudo = join(bin, 'sudo');
      writeFileSync(
        sudo,
        '#!/bin/sh\necho "$@" >"${0%/*}/args"\necho "sudo: a password is required" >&2\nexit 1\n',
      );
      chmodSync(sudo, 0o755);
      expect(await session().run('echo ran')).toMatchObject({
        started: false,
        code: 1,
        stdout: '',
        stderr: 'sudo: a password is required\n',
      });
      expect(spawnSync('cat', [join(bin, 'args')], { encoding: 'utf8' }).stdout).toBe(
        '-H -k -n -u root -- sh -s\n',
      );
      // A NOPASSWD sudo: runs what follows `--`, the session's frames on its stdin.
      writeFileSync(sudo, '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done\nshift\nexec "$@"\n');
      const ran = session();
      expect(await ran.run('echo ran')).toMatchObject({
        started: true,
        code: 0,
        stdout: 'ran\n',
        stderr: '',
      });
      // sh read the whole frame before running it: a command reading stdin finds nothing left.
      expect(await ran.run('cat; echo after')).toMatchObject({ started: true, code: 0, stdout: 'after\n' });
      expect(await ran.run("echo 'sudo: a password is required' >&2; exit 1")).toMatchObject({
        started: true,
        code: 1,
        stdout: '',
        stderr: 'sudo: a password is required\n',
      });
      ran.close();
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('with passwordless sudo the first program is the check and its shell the session: no password sent', async () => {
    const { host, become } = runner({ becomePassword: new Secret(PASSWORD) }, [
      [PROBE, echoes],
      [PASSWORDLESS, echoes],
    ]);
    expect(await become.run({ ...FACTS, timeoutMs: 500 })).toEqual(ok('facts\n'));
    expect(host.calls).toEqual([{ line: host.calls[0]!.line, stdin: frame(FACTS.program), timeoutMs: 500 }]);
    expect(host.calls[0]!.line).toMatch(PROBE);
    // The next program goes to the same shell: no new channel, no sudo.
    expect(await become.run({ program: 'echo 0' })).toEqual(ok('0\n'));
    expect(host.calls[1]).toEqual({ line: host.calls[0]!.line, stdin: frame('echo 0') });
    expect(host.shells).toHaveLength(1);
    expect(JSON.stringify(host.calls)).not.toContain(PASSWORD);
  });

  it('opens a new session when the shell is gone (a timeout killed it)', async () => {
    const { host, become } = runner({}, [
      [PROBE, () => ({ ...ok(), code: 124, ended: true })],
      [PASSWORDLESS, (stdin) => ok(`ran ${programOf(stdin)}\n`)],
    ]);
    expect((await become.run({ program: 'sleep 9', timeoutMs: 10 })).code).toBe(124);
    expect(await become.run({ program: 'id -u' })).toEqual(ok('ran id -u\n'));
    expect(await become.run({ program: 'true' })).toEqual(ok('ran true\n'));
    expect(host.shells).toEqual([host.calls[0]!.line, 'sudo -H -k -n -u root -- sh -s']);
  });

  it('returns a command that sudo ran and that failed as its result, whatever its stderr', async () => {
    const failed = { code: 1, stdout: 'partial\n', stderr: 'deploy is not in the sudoers file.\n' };
    const { host, become } = runner({}, [[PROBE, ranAs(failed)]]);
    expect(await become.run(FACTS)).toEqual(failed);
    expect(host.calls).toHaveLength(1);
  });

  it('asks for -K when a password is needed and none was given, having run nothing', async () => {
    const { host, become } = runner({}, [[PROBE, refused('sudo: a password is required\n')]]);
    const error = await become.run(FACTS).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BecomeError);
    expect((error as Error).message).toContain('pass -K (--ask-become-pass) or set ansible_become_password');
    expect(host.calls).toHaveLength(1);
  });

  it('sends the password once, to the session shell, and its programs only once sudo took it', async () => {
    const { host, become } = runner({ becomePassword: new Secret(PASSWORD) }, [
      [PROBE, refused('sudo: a password is required\n')],
      // The session's shell gets the password line, says it is ready, then gets the programs.
      [
        WITH_PASSWORD,
        (stdin) => (stdin === `${PASSWORD}\n` ? ok() : stdin.startsWith('{') ? echoes(stdin) : refused('')()),
      ],
    ]);
    expect(await become.run(FACTS)).toEqual(ok('facts\n'));
    expect(await become.run({ program: 'echo 0' })).toEqual(ok('0\n'));
    const stdins = host.calls.map((call) => call.stdin);
    expect(stdins).toEqual([frame(FACTS.program), `${PASSWORD}\n`, FACTS_STDIN, frame('echo 0')]);
    expect(stdins.join('').split(PASSWORD)).toHaveLength(2);
    expect(host.shells).toEqual([host.calls[0]!.line, host.calls[1]!.line]);
    expect(host.calls[1]!.line).toMatch(WITH_PASSWORD);
    expect(host.calls.map((call) => call.line).join('\n')).not.toContain(PASSWORD);
  });

  it('refuses a wrong password with a message that names the setting, not the password', async () => {
    const { host, become } = runner({ becomePassword: new Secret(PASSWORD) }, [
      [PROBE, refused('sudo: a password is required\n')],
      [
        /sudo -H -k -S -p/,
        // A misbehaving sudo that echoes what it read: the password must still not surface.
        (stdin) => refused(`Sorry, try again. (${stdin.trim()})\nsudo: 1 incorrect password attempt\n`)(),
      ],
    ]);
    const error = await become.run(FACTS).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BecomeError);
    const message = (error as Error).message;
    expect(message).toContain('sudo refused the become password for user deploy on host lb1');
    expect(message).toContain('check ansible_become_password / -K');
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(promptOf(host.calls[1]!.line));
    expect(host.calls).toHaveLength(2);
  });

  it('says when the user may not use sudo at all', async () => {
    const { become } = runner({}, [[PROBE, refused('deploy is not in the sudoers file.\n')]]);
    const error = await become.run(FACTS).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/deploy may not use sudo to become root on host lb1/);
  });

  it('probes once when become commands come together; the others queue for the session', async () => {
    const { host, become } = runner({}, [[PROBE, echoes]]);
    const results = await Promise.all([
      become.run(FACTS),
      become.run({ program: 'echo 0' }),
      become.run({ program: 'echo 1' }),
    ]);
    expect(results).toEqual([ok('facts\n'), ok('0\n'), ok('1\n')]);
    expect(host.shells).toHaveLength(1);
    expect(host.calls.map((call) => call.stdin)).toEqual([
      frame(FACTS.program),
      frame('echo 0'),
      frame('echo 1'),
    ]);
  });

  it('fails the commands that waited when the first one finds sudo refusing', async () => {
    const { host, become } = runner({}, [[PROBE, refused('sudo: a password is required\n')]]);
    const results = await Promise.allSettled([become.run(FACTS), become.run({ program: 'id -u' })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(host.calls).toHaveLength(1);
  });
});
