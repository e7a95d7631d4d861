import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { Secret } from '../../../src/domain/secret.js';
import { detectBecome, sudoProbeLine, type BecomeTarget } from '../../../src/transport/become-detect.js';
import { BecomeError, type ExecResult } from '../../../src/transport/types.js';

const PASSWORD = 'sudo-pw-4411';

interface Call {
  line: string;
  stdin?: string;
}

/** A fake host: answers each command line with the first matching rule. */
function fakeHost(rules: [RegExp, (stdin?: string) => ExecResult][]) {
  const calls: Call[] = [];
  const exec = async (line: string, stdin?: Buffer): Promise<ExecResult> => {
    calls.push({ line, ...(stdin ? { stdin: stdin.toString() } : {}) });
    const rule = rules.find(([pattern]) => pattern.test(line));
    if (!rule) throw new Error(`unexpected command ${line}`);
    return rule[1](stdin?.toString());
  };
  return { exec, calls };
}

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

describe('detectBecome', () => {
  it('runs commands directly when the login user is the become user', async () => {
    const host = fakeHost([]);
    expect(await detectBecome(target({ loginUser: 'root' }), host.exec)).toEqual({ kind: 'direct' });
    expect(host.calls).toEqual([]);
  });

  it('fails clearly when sudo is missing', async () => {
    const host = fakeHost([
      [/command -v sudo/, () => ({ code: 127, stdout: 'apim-provision: no sudo\n', stderr: '' })],
    ]);
    const error = await detectBecome(target(), host.exec).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BecomeError);
    expect((error as Error).message).toMatch(
      /sudo is not installed on host lb1.*install sudo.*connect as root/,
    );
  });

  it('asks both questions in one round trip: its line tells a missing sudo from a refusing one, in sh', () => {
    const bin = mkdtempSync(join(tmpdir(), 'apim-sudo-probe-'));
    try {
      symlinkSync('/bin/sh', join(bin, 'sh'));
      const run = () =>
        spawnSync('/bin/sh', ['-c', sudoProbeLine('root')], { env: { PATH: bin }, encoding: 'utf8' });
      expect(run()).toMatchObject({ status: 127, stdout: 'apim-provision: no sudo\n' });
      // A stand-in sudo that records its arguments and refuses, as sudo -n does without NOPASSWD.
      writeFileSync(
        join(bin, 'sudo'),
        '#!/bin/sh\necho "$@" >"${0%/*}/args"\necho "sudo: a password is required" >&2\nexit 1\n',
      );
      chmodSync(join(bin, 'sudo'), 0o755);
      expect(run()).toMatchObject({ status: 1, stdout: '', stderr: 'sudo: a password is required\n' });
      expect(spawnSync('cat', [join(bin, 'args')], { encoding: 'utf8' }).stdout).toBe(
        '-H -k -n -u root -- sh -c true\n',
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('detects passwordless sudo and never sends a password', async () => {
    const host = fakeHost([
      [/^sh -c 'command -v sudo .*; exec sudo -H -k -n -u root -- sh -c true'$/, () => ok()],
    ]);
    const mode = await detectBecome(target({ becomePassword: new Secret(PASSWORD) }), host.exec);
    expect(mode).toEqual({ kind: 'passwordless', becomeUser: 'root' });
    expect(host.calls).toHaveLength(1);
    expect(JSON.stringify(host.calls)).not.toContain(PASSWORD);
  });

  it('asks for -K when a password is needed and none was given', async () => {
    const host = fakeHost([
      [/sudo -H -k -n/, () => ({ code: 1, stdout: '', stderr: 'sudo: a password is required\n' })],
    ]);
    const error = await detectBecome(target(), host.exec).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BecomeError);
    expect((error as Error).message).toContain('pass -K (--ask-become-pass) or set ansible_become_password');
  });

  it('checks the password once, on stdin, and accepts it', async () => {
    const host = fakeHost([
      [/sudo -H -k -n/, () => ({ code: 1, stdout: '', stderr: 'sudo: a password is required\n' })],
      [
        /sudo -H -k -S -p/,
        (stdin) => (stdin === `${PASSWORD}\n` ? ok() : { code: 1, stdout: '', stderr: '' }),
      ],
    ]);
    const mode = await detectBecome(target({ becomePassword: new Secret(PASSWORD) }), host.exec);
    expect(mode.kind).toBe('password');
    expect(host.calls.map((call) => call.line).join('\n')).not.toContain(PASSWORD);
    expect(host.calls[1]!.stdin).toBe(`${PASSWORD}\n`);
  });

  it('refuses a wrong password with a message that names the setting, not the password', async () => {
    const host = fakeHost([
      [/sudo -H -k -n/, () => ({ code: 1, stdout: '', stderr: 'sudo: a password is required\n' })],
      [
        /sudo -H -k -S -p/,
        // A misbehaving sudo that echoes what it read: the password must still not surface.
        (stdin) => ({
          code: 1,
          stdout: '',
          stderr: `Sorry, try again. (${stdin?.trim()})\nsudo: 1 incorrect password attempt\n`,
        }),
      ],
    ]);
    const error = await detectBecome(target({ becomePassword: new Secret(PASSWORD) }), host.exec).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(BecomeError);
    const message = (error as Error).message;
    expect(message).toContain('sudo refused the become password for user deploy on host lb1');
    expect(message).toContain('check ansible_become_password / -K');
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(promptOf(host.calls[1]!.line));
  });

  it('says when the user may not use sudo at all', async () => {
    const host = fakeHost([
      [/sudo -H -k -n/, () => ({ code: 1, stdout: '', stderr: 'deploy is not in the sudoers file.\n' })],
    ]);
    const error = await detectBecome(target(), host.exec).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/deploy may not use sudo to become root on host lb1/);
  });
});
