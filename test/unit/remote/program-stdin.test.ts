/**
 * Programs travel on stdin to `sh -s` (transport/program-stdin.ts), secrets and all: a stream cut
 * anywhere runs nothing, and nothing a program runs can read the rest of it (or of its own input).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { factsScript, opsScript, parseOpsResult, transactionScript } from '../../../src/remote/index.js';
import { programStdin } from '../../../src/transport/program-stdin.js';
import { baseTransaction } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-program-stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MARKER = 'apim-provision become 0123456789abcdef';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSh(shell: string, stdin: Buffer, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-s'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
    child.stdin.end(stdin);
  });
}

/**
 * Runs `sh -s` on prefixes of `stdin` cut every `step` bytes, and cut just before the closing
 * brace, a few at a time; the results in order.
 */
async function cuts(shell: string, stdin: Buffer, step: number): Promise<{ at: number; ran: Ran }[]> {
  const brace = stdin.lastIndexOf('}');
  const offsets: number[] = [];
  for (let at = 0; at < brace; at += step) offsets.push(at);
  offsets.push(brace);
  const results: { at: number; ran: Ran }[] = [];
  for (let i = 0; i < offsets.length; i += 8) {
    const batch = offsets.slice(i, i + 8);
    const ran = await Promise.all(batch.map((at) => runSh(shell, stdin.subarray(0, at))));
    batch.forEach((at, j) => results.push({ at, ran: ran[j]! }));
  }
  return results;
}

describe('a program sent on stdin, cut anywhere, runs nothing', () => {
  it('an ops program cut every 7 bytes (~1,900 offsets) never touches its file; whole, it does', async () => {
    const made = join(dir, 'made-by-the-program');
    const stdin = programStdin(
      opsScript([
        { op: 'touch', path: made },
        { op: 'exec', argv: ['echo', 'the second operation'] },
      ]),
      MARKER,
    );
    const results = await cuts('sh', stdin, 7);
    expect(results.length).toBeGreaterThan(1800);
    // Nothing at all ran: not even the marker, the group's first command.
    const ran = results.filter(({ ran: r }) => r.stdout !== '');
    expect(ran.map(({ at }) => at)).toEqual([]);
    expect(existsSync(made)).toBe(false);

    const whole = await runSh('sh', stdin);
    expect(whole.code).toBe(0);
    expect(whole.stdout.startsWith(`${MARKER}\n`)).toBe(true);
    expect(parseOpsResult(whole.stdout, whole.stderr).ok).toBe(true);
    expect(existsSync(made)).toBe(true);
  }, 60_000);

  it('a transaction carrying a key, cut anywhere, runs none of it, in dash and in bash', async () => {
    const stdin = programStdin(transactionScript(baseTransaction), MARKER);
    for (const shell of ['dash', 'bash']) {
      const results = await cuts(shell, stdin, 250);
      expect(results.length).toBeGreaterThan(140);
      const ran = results.filter(({ ran: r }) => r.stdout !== '');
      expect(
        ran.map(({ at }) => at),
        shell,
      ).toEqual([]);
    }
  }, 60_000);
});

describe('what a program runs never reads the rest of the stream', () => {
  it('an operation that reads stdin gets nothing, and the operations after it still run', async () => {
    const after = join(dir, 'after-cat');
    const stdin = programStdin(
      opsScript([
        { op: 'exec', argv: ['cat'] },
        { op: 'touch', path: after },
      ]),
    );
    const run = await runSh('sh', stdin);
    const result = parseOpsResult(run.stdout, run.stderr);
    expect(result.ok).toBe(true);
    expect(result.results).toHaveLength(2);
    expect(result.results[0]!.stdout).toBe('');
    expect(existsSync(after)).toBe(true);
  });

  it("a sysv init script's status that reads stdin does not eat the facts' later queries", async () => {
    const facts = factsScript({
      queries: [
        { kind: 'service', name: 'first' },
        { kind: 'service', name: 'second' },
      ],
      stateDir: join(dir, 'sysv-state'),
      probeSysvServices: true,
    });
    // A sysv host whose init script (`service` runs the script's own code) reads all of its stdin
    // and says the service runs: stand-ins defined after the program's own functions.
    const sysvHost =
      'apim_managers() { APIM_PM=none; APIM_SVC=sysv; }\nservice() { cat >/dev/null; return 0; }\n';
    expect(facts.endsWith('\napim_main\n}\n')).toBe(true);
    const run = await runSh('sh', programStdin(facts.replace(/apim_main\n\}\n$/, `${sysvHost}$&`)));
    const services = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('@@APIM service '))
      .map((l) => l.split(' ').slice(2, 4).join(' '));
    // Both asked: the stand-in ran for the first and would have eaten the second's line.
    expect(services).toEqual(['first active', 'second active']);
    expect(run.stdout).toContain('@@APIM done 1');
  });
});
