import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Whether `cmd` (its first word) is installed here. */
export const installed = (cmd: string) =>
  spawnSync('sh', ['-c', `command -v ${cmd.split(' ')[0]}`]).status === 0;
/** The shells a host may run the programs with, those installed here. */
export const SHELLS = ['dash', 'bash', 'busybox sh'].filter(installed);

/**
 * Runs `script` with `shell` (stdin), and, traced (strace -f, successful execve only), names the
 * programs it ran: the base name of each, the shell itself left out. `log`: strace's output file.
 */
export function runSh(
  script: string,
  options: { shell?: string; log?: string; env?: NodeJS.ProcessEnv } = {},
): { out: string; status: number | null; execs: string[] } {
  const [bin, ...args] = (options.shell ?? 'sh').split(' ');
  const env = options.env ?? process.env;
  if (!options.log) {
    const r = spawnSync(bin!, [...args, '-s'], { input: script, encoding: 'utf8', env });
    return { out: r.stdout, status: r.status, execs: [] };
  }
  const r = spawnSync(
    'strace',
    ['-f', '-qq', '-z', '-e', 'trace=execve', '-o', options.log, bin!, ...args, '-s'],
    { input: script, encoding: 'utf8', env },
  );
  const execs = readFileSync(options.log, 'utf8')
    .split('\n')
    .filter((l) => l.includes('execve("'))
    .map((l) => /execve\("[^"]*\/([^/"]+)"/.exec(l)?.[1] ?? l)
    .slice(1); // the shell itself
  return { out: r.stdout, status: r.status, execs };
}
