import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the real openssl CLI, so tests check our output against the tool nginx itself links. */
export function openssl(args: string[], cwd?: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Like `openssl`, but returns the exit status and both outputs instead of throwing. */
export function opensslStatus(args: string[], cwd?: string): { status: number; output: string } {
  try {
    return { status: 0, output: openssl(args, cwd) };
  } catch (err) {
    const e = err as { status: number; stdout?: string; stderr?: string };
    return { status: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export function tempDir(prefix = 'apim-certs-'): {
  dir: string;
  file(name: string, content?: string): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      if (content !== undefined) writeFileSync(path, content);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const DAY_MS = 24 * 60 * 60 * 1000;
