/**
 * A session shell (transport/shell-session.ts, session-frame.ts) against real shells, dash and
 * bash: the programs of one session come back byte-exact, each with its own exit code, and none
 * of them can end, poison or read the session.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

import { ShellSession } from '../../../src/transport/shell-session.js';
import { sessionFrame } from '../../../src/transport/session-frame.js';
import { signalExitCode } from '../../../src/transport/channel-exec.js';
import { localChannel as shellChannel } from './support/local-channel.js';

/** A local `<shell> -s` as a session's channel. */
const localChannel = (shell: string) => shellChannel(`exec ${shell} -s`);

const result = (code: number, stdout = '', stderr = ''): unknown =>
  expect.objectContaining({ code, stdout, stderr, ended: false });

for (const shell of ['dash', 'bash']) {
  describe(`a session shell (${shell})`, () => {
    it('returns each program byte-exact, without a final newline too, with its exit code', async () => {
      const session = new ShellSession(localChannel(shell));
      expect(await session.run("printf 'a\\nb'")).toEqual(result(0, 'a\nb'));
      expect(await session.run("printf 'x\\n\\n'; printf 'e' >&2; false")).toEqual(result(1, 'x\n\n', 'e'));
      expect(await session.run('printf ""')).toEqual(result(0));
      expect(await session.run('no-such-command-apim 2>/dev/null')).toEqual(result(127));
      expect(await session.run("printf '\\303\\251\\342\\234\\223'")).toEqual(result(0, 'é✓'));
      const big = await session.run("head -c 300000 /dev/zero | tr '\\0' a");
      expect(big.stdout).toBe('a'.repeat(300_000));
      session.close();
    });

    it("keeps marker-like text in a program's output as output", async () => {
      const session = new ShellSession(
        localChannel(shell),
        undefined,
        'apim-provision session 00112233aabbccdd',
      );
      const fake = 'apim-provision session 0011223344556677 0';
      const own = 'apim-provision session 00112233aabbccdd';
      expect(await session.run(`printf '\\n%s\\n' '${fake}'; printf '%s x\\n' '${own}'`)).toEqual(
        result(0, `\n${fake}\n${own} x\n`),
      );
      expect(await session.run('echo next')).toEqual(result(0, 'next\n'));
      session.close();
    });

    it('a program that exits, traps EXIT, sets -e or changes state does not end or poison the session', async () => {
      const session = new ShellSession(localChannel(shell));
      expect(await session.run('echo before; exit 3; echo after')).toEqual(result(3, 'before\n'));
      expect(await session.run("trap 'echo cleaned' EXIT; echo work")).toEqual(result(0, 'work\ncleaned\n'));
      expect(await session.run('set -e; X=1; cd /; umask 077; false; echo never')).toEqual(result(1));
      expect(await session.run('exec >/dev/null 2>&1; echo hidden')).toEqual(result(0));
      expect(
        await session.run(
          'echo "X=${X-unset}"; trap; [ "$(umask)" = 0077 ] || echo umask-kept; case $- in *e*) echo e-set;; esac',
        ),
      ).toEqual(result(0, 'X=unset\numask-kept\n'));
      // The subshell killed by a signal: 128 + its number (the session shell says so on stderr).
      expect(await session.run("kill -TERM $(sh -c 'echo $PPID')")).toMatchObject({
        code: signalExitCode('TERM'),
        stdout: '',
        ended: false,
      });
      expect(await session.run('echo alive')).toEqual(result(0, 'alive\n'));
      session.close();
    });

    it('a program reads nothing of the session: not the next program, not itself', async () => {
      const session = new ShellSession(localChannel(shell));
      const [reader, next] = await Promise.all([
        session.run('cat; echo after-cat'),
        session.run('echo second'),
      ]);
      expect(reader).toEqual(result(0, 'after-cat\n'));
      expect(next).toEqual(result(0, 'second\n'));
      session.close();
    });

    it('a program that ends the shell ends the session: its result is the exit code, the next one is told', async () => {
      const session = new ShellSession(localChannel(shell));
      expect(await session.run('echo x; kill -TERM $$')).toEqual(
        expect.objectContaining({ code: 143, stdout: 'x\n', ended: true, started: true }),
      );
      expect(session.open).toBe(false);
    });

    it('a syntax error ends the session without running any of that program', async () => {
      const session = new ShellSession(localChannel(shell));
      const ended = await session.run('echo ran\nif then');
      expect(ended).toMatchObject({ stdout: '', ended: true });
      expect(ended.code).not.toBe(0);
    });

    it('output a leftover process writes after its program is in no result: the session is retired', async () => {
      const channel = localChannel(shell);
      let closed = false;
      channel.onClose(() => (closed = true));
      const session = new ShellSession(channel);
      expect(await session.run("(sleep 0.3; echo late; echo late >&2) & echo 'left one'")).toEqual(
        result(0, 'left one\n'),
      );
      expect(session.open).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 800));
      // Retired once the late bytes came, its channel closed without waiting for the leftover.
      expect(session.open).toBe(false);
      expect(closed).toBe(true);
      expect(await session.run('echo never')).toMatchObject({ started: false, ended: true, stdout: '' });
    });

    it('a leftover holding stdout keeps no program waiting', async () => {
      const session = new ShellSession(localChannel(shell));
      const started = Date.now();
      expect(await session.run('sleep 3 & echo bg')).toEqual(result(0, 'bg\n'));
      expect(await session.run('echo next')).toEqual(result(0, 'next\n'));
      expect(Date.now() - started).toBeLessThan(2000);
      session.close();
    });

    it('a shell gone before the program began ran none of it', async () => {
      const channel = localChannel(shell);
      const session = new ShellSession(channel);
      expect(await session.run('echo up')).toEqual(result(0, 'up\n'));
      process.kill(channel.pid, 'SIGKILL');
      expect(session.open).toBe(true);
      expect(await session.run('echo ran')).toMatchObject({ started: false, ended: true, stdout: '' });
    });

    it('a program past its timeout kills the session', async () => {
      const session = new ShellSession(localChannel(shell));
      const started = Date.now();
      expect(await session.run('sleep 5', 200)).toMatchObject({ code: 124, timedOut: true, ended: true });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(session.open).toBe(false);
    });

    it('a stream cut anywhere runs nothing of the program', async () => {
      const frame = sessionFrame(
        'echo ran; touch /nonexistent-dir-apim/x',
        'apim-provision session 0123456789abcdef',
      );
      const brace = frame.lastIndexOf('}');
      const outputs = await Promise.all(
        Array.from(
          { length: Math.ceil(brace / 3) },
          (_, i) =>
            new Promise<string>((resolve) => {
              const child = spawn(shell, ['-s'], { stdio: ['pipe', 'pipe', 'ignore'] });
              const out: Buffer[] = [];
              child.stdout.on('data', (c: Buffer) => out.push(c));
              child.on('close', () => resolve(Buffer.concat(out).toString()));
              child.stdin.end(frame.subarray(0, i * 3));
            }),
        ),
      );
      expect(outputs.filter((o) => o !== '')).toEqual([]);
    }, 60_000);
  });
}
