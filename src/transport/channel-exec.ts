import { constants } from 'node:os';

import type { Client, ClientChannel } from 'ssh2';

import type { SessionChannel } from './session-frame.js';

/** What one exec channel returned; `exitReported` is false when the channel closed without a status. */
export interface ChannelResult {
  code: number;
  stdout: string;
  stderr: string;
  exitReported: boolean;
  timedOut: boolean;
}

/** Shell convention: a command killed by signal n exits 128 + n; unknown signals give 255. */
export function signalExitCode(signal: string): number {
  const number = (constants.signals as Record<string, number | undefined>)[
    `SIG${signal.replace(/^SIG/, '')}`
  ];
  return number === undefined ? 255 : 128 + number;
}

/** Exit code for a command killed by the timeout, as coreutils' `timeout` reports it. */
export const TIMEOUT_EXIT_CODE = 124;

/**
 * Calls `kill` once `timeoutMs` has passed (never without one). `kill` settles the program at once:
 * sshd only closes the channel once the command has exited, so nothing waits for that.
 */
export function killAfter(timeoutMs: number | undefined, kill: () => void): NodeJS.Timeout | undefined {
  return timeoutMs === undefined ? undefined : setTimeout(kill, timeoutMs);
}

/** Runs one command line on its own channel, writes stdin, and collects the output. */
export function execOnChannel(
  client: Client,
  line: string,
  stdin: Buffer,
  timeoutMs: number | undefined,
): Promise<ChannelResult> {
  return new Promise((resolve, reject) => {
    client.exec(line, (error, stream) => {
      if (error) {
        reject(error);
        return;
      }
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | undefined;
      let timedOut = false;
      const timer = killAfter(timeoutMs, () => {
        timedOut = true;
        sendSignal(stream, 'KILL');
        stream.close();
        finish();
      });
      stream.on('data', (chunk: Buffer) => stdout.push(chunk));
      stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      stream.on('exit', (exitCode: number | null, signal?: string) => {
        if (typeof exitCode === 'number') code = exitCode;
        else if (signal) code = signalExitCode(signal);
      });
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          code: timedOut ? TIMEOUT_EXIT_CODE : (code ?? 255),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          exitReported: code !== undefined,
          timedOut,
        });
      };
      stream.on('close', finish);
      stream.on('error', reject);
      stream.end(stdin);
    });
  });
}

/** Opens a channel running `line` whose stdin stays open, for a session shell (shell-session.ts). */
export function openSessionChannel(client: Client, line: string): Promise<SessionChannel> {
  return new Promise((resolve, reject) => {
    client.exec(line, (error, stream) => {
      if (error) {
        reject(error);
        return;
      }
      let code: number | undefined;
      stream.on('exit', (exitCode: number | null, signal?: string) => {
        if (typeof exitCode === 'number') code = exitCode;
        else if (signal) code = signalExitCode(signal);
      });
      // A channel error ends the session like a close: the running program's result says so.
      stream.on('error', () => undefined);
      resolve({
        write: (data) => void stream.write(data),
        end: () => void stream.end(),
        kill: () => {
          sendSignal(stream, 'KILL');
          stream.close();
        },
        close: () => {
          stream.end();
          stream.close();
        },
        onStdout: (listener) => void stream.on('data', listener),
        onStderr: (listener) => void stream.stderr.on('data', listener),
        onClose: (listener) => void stream.on('close', () => listener(code)),
      });
    });
  });
}

/** The parts of ssh2's channel internals needed to send a signal after stdin was closed. */
interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal?(id: number, name: string): void } };
}

/**
 * Asks sshd to signal the command's process group (OpenSSH >= 7.9). ssh2's public `signal()` is
 * a no-op once stdin has ended, which every exec does, so the request is sent the same way it
 * would send it, while the channel is still open.
 */
function sendSignal(stream: ClientChannel, name: string): void {
  const channel = stream as unknown as ChannelInternals;
  const state = channel.outgoing?.state;
  if (state === 'open' || state === 'eof') channel._client?._protocol?.signal?.(channel.outgoing!.id, name);
}
