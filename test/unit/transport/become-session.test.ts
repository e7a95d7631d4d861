/**
 * BecomeRunner over real session shells (dash and bash) and stand-in sudos: the password is sent
 * once, and only to sudo; a shell that died while idle ran nothing, so the program runs once on a
 * new one; a shell lost after a program began is that program's failure, never run again.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Secret } from '../../../src/domain/secret.js';
import { BecomeRunner, type BecomeHost, type BecomeTarget } from '../../../src/transport/become-detect.js';
import { ShellSession } from '../../../src/transport/shell-session.js';
import { BecomeError } from '../../../src/transport/types.js';
import { localChannel } from './support/local-channel.js';

const PASSWORD = 'sudo-pw-5512';

/**
 * A stand-in sudo: `-n` refuses (a password is required); `-S -p PROMPT` prints the prompt and
 * reads one line, three tries, as sudo does (every line it read is appended to `tries`), then runs
 * what follows `--`.
 */
const SUDO = `#!/bin/sh
dir=\${0%/*}
prompt= n=
while [ "$1" != -- ]; do
  case $1 in -n) n=1 ;; -p) shift; prompt=$1 ;; esac
  shift
done
shift
[ -n "$n" ] && { echo 'sudo: a password is required' >&2; exit 1; }
tries=0
while [ "$tries" -lt 3 ]; do
  printf '%s' "$prompt" >&2
  IFS= read -r pw || { echo 'sudo: no password was provided' >&2; exit 1; }
  printf '%s\\n' "$pw" >>"$dir/tries"
  [ "$pw" = '${PASSWORD}' ] && exec "$@"
  tries=$((tries + 1))
  echo 'Sorry, try again.' >&2
done
echo "sudo: $tries incorrect password attempts" >&2
exit 1
`;

/** The connection's side of the become logic, each shell a local process with PATH = `bin`. */
function localHost(bin: string): BecomeHost & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    openShell: async (line, preamble) => {
      lines.push(line);
      const session = new ShellSession(localChannel(line, { PATH: bin }), preamble);
      return {
        get open() {
          return session.open;
        },
        run: (program, timeoutMs) => session.run(program, timeoutMs),
        ready: (wanted, refused) => session.ready(wanted, refused),
      };
    },
  };
}

for (const shell of ['dash', 'bash']) {
  describe(`BecomeRunner on ${shell} session shells`, () => {
    let bin: string;
    beforeEach(() => {
      bin = mkdtempSync(join(tmpdir(), 'apim-become-session-'));
      symlinkSync(`/bin/${shell}`, join(bin, 'sh'));
      for (const tool of ['cat', 'kill']) symlinkSync(`/bin/${tool}`, join(bin, tool));
      writeFileSync(join(bin, 'sudo'), SUDO);
      chmodSync(join(bin, 'sudo'), 0o755);
    });
    afterEach(() => rmSync(bin, { recursive: true, force: true }));

    const target = (password: string): BecomeTarget => ({
      hostName: 'lb1',
      loginUser: 'deploy',
      becomeUser: 'root',
      becomePassword: new Secret(password),
    });
    const read = (file: string): string => readFileSync(join(bin, file), 'utf8');

    it('sends the password once, on the session that then runs every program', async () => {
      const host = localHost(bin);
      const become = new BecomeRunner(target(PASSWORD), host);
      expect(await become.run({ program: 'echo facts; echo "$1" >&2' })).toEqual({
        code: 0,
        stdout: 'facts\n',
        stderr: '\n',
      });
      expect(await become.run({ program: 'echo second; exit 4' })).toEqual({
        code: 4,
        stdout: 'second\n',
        stderr: '',
      });
      expect(read('tries')).toBe(`${PASSWORD}\n`);
      // The probe (refused), then the one shell the password started.
      expect(host.lines).toHaveLength(2);
    });

    it('a wrong password: sudo reads it and the end of input, never a program', async () => {
      const become = new BecomeRunner(target('wrong-pw'), localHost(bin));
      const error = await become.run({ program: 'echo never' }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(BecomeError);
      expect((error as Error).message).toContain(
        'sudo refused the become password for user deploy on host lb1',
      );
      expect((error as Error).message).not.toContain('wrong-pw');
      expect(read('tries')).toBe('wrong-pw\n');
    });

    it('a shell that died while idle ran nothing: the program runs once, on a new shell', async () => {
      const host = localHost(bin);
      const become = new BecomeRunner(target(PASSWORD), host);
      const first = await become.run({ program: `echo one >>${bin}/runs; echo "$$"` });
      const pid = Number(first.stdout);
      // Killed between the open check and the write: the frame goes to a shell that is gone.
      process.kill(pid, 'SIGKILL');
      expect(await become.run({ program: `echo two >>${bin}/runs; echo ran` })).toEqual({
        code: 0,
        stdout: 'ran\n',
        stderr: '',
      });
      expect(read('runs')).toBe('one\ntwo\n');
      expect(host.lines).toHaveLength(3);
      expect(read('tries')).toBe(`${PASSWORD}\n${PASSWORD}\n`);
    });

    it('a shell lost after the program began is its failure: it is not run again', async () => {
      const host = localHost(bin);
      const become = new BecomeRunner(target(PASSWORD), host);
      expect(await become.run({ program: 'true' })).toMatchObject({ code: 0 });
      const lost = await become.run({ program: `echo two >>${bin}/runs; kill -KILL $$` });
      expect(lost.code).toBe(137);
      expect(read('runs')).toBe('two\n');
      expect(host.lines).toHaveLength(2);
      // The next program starts a new session.
      expect(await become.run({ program: 'echo three' })).toMatchObject({ code: 0, stdout: 'three\n' });
      expect(host.lines).toHaveLength(3);
    });
  });
}
