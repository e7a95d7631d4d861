import { spawn } from 'node:child_process';

import { signalExitCode } from '../../../../src/transport/channel-exec.js';
import type { SessionChannel } from '../../../../src/transport/session-frame.js';

/**
 * A local process as a session's channel, as sshd runs a command line: `sh -c line` (`env`: its
 * environment), stdin kept open. `pid` is the process's, to kill it from outside.
 */
export function localChannel(line: string, env?: NodeJS.ProcessEnv): SessionChannel & { pid: number } {
  const child = spawn('/bin/sh', ['-c', line], { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  let code: number | undefined;
  child.on('exit', (exitCode, signal) => {
    code = exitCode ?? (signal ? signalExitCode(signal) : undefined);
  });
  // A write to a shell that is gone (EPIPE) is what its close reports.
  child.stdin.on('error', () => undefined);
  return {
    pid: child.pid!,
    write: (data) => void child.stdin.write(data),
    end: () => void child.stdin.end(),
    kill: () => void child.kill('SIGKILL'),
    close: () => {
      child.stdin.end();
      child.stdout.destroy();
      child.stderr.destroy();
    },
    onStdout: (listener) => void child.stdout.on('data', listener),
    onStderr: (listener) => void child.stderr.on('data', listener),
    onClose: (listener) => void child.on('close', () => listener(code)),
  };
}
