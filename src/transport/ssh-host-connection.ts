import type { Client } from 'ssh2';

import { BecomeRunner, type BecomeShell, type BecomeTarget } from './become-detect.js';
import { ChannelLimiter } from './channel-limiter.js';
import { execOnChannel, openSessionChannel, type ChannelResult } from './channel-exec.js';
import { programStdin, SH_STDIN } from './program-stdin.js';
import { ShellSession } from './shell-session.js';
import { scrubSecret } from './sudo-command.js';
import { ConnectionLostError, type ExecResult, type HostConnection, type RunOptions } from './types.js';

/** Channels one connection runs at once (sshd's MaxSessions default is 10). */
export const MAX_CHANNELS = 6;

/**
 * An authenticated SSH connection (through its jump hosts, if any). Become programs run one after
 * another through one session shell (become-detect.ts, shell-session.ts); other programs run in
 * parallel on channels of their own. When any hop drops, running and later calls fail with
 * ConnectionLostError.
 */
export class SshHostConnection implements HostConnection {
  #roundTrips = 0;
  #lost: string | undefined;
  #closed = false;
  readonly #limiter = new ChannelLimiter(MAX_CHANNELS);
  readonly #become: BecomeRunner;
  readonly #pending = new Set<(error: Error) => void>();
  /** Clients whose socket has closed (by us or by the network). */
  readonly #ended = new Set<Client>();
  /** Session shells still open, their stdin ended on close. */
  readonly #shells = new Set<ShellSession>();

  /** `hops` are the jump clients in order, then the target's client. */
  constructor(
    readonly hostName: string,
    private readonly hops: readonly Client[],
    private readonly becomeTarget: BecomeTarget,
  ) {
    this.#become = new BecomeRunner(becomeTarget, {
      openShell: (line, preamble) => this.#openShell(line, preamble),
    });
    for (const client of hops) {
      client.on('error', (error: Error) => this.#markLost(error.message));
      client.on('close', () => {
        this.#ended.add(client);
        this.#markLost('the connection closed');
      });
    }
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  get #target(): Client {
    return this.hops[this.hops.length - 1]!;
  }

  async run(program: string, options: RunOptions = {}): Promise<ExecResult> {
    if (options.become) return this.#become.run({ program, timeoutMs: options.timeoutMs });
    return this.#execLine(SH_STDIN, programStdin(program), options.timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The shells read the end of their input and exit.
    for (const shell of this.#shells) shell.close();
    // Target first, then the jump hosts it was tunnelled through.
    for (const client of [...this.hops].reverse()) {
      if (this.#ended.has(client)) continue;
      await new Promise<void>((resolve) => {
        client.once('close', () => resolve());
        client.end();
        setTimeout(resolve, 2000).unref();
      });
    }
  }

  #execLine(line: string, stdin: Buffer, timeoutMs?: number): Promise<ExecResult> {
    return this.#exchange(
      () => this.#limiter.run(() => execOnChannel(this.#target, line, stdin, timeoutMs)),
      timeoutMs,
    );
  }

  /** A session shell: it holds one of the connection's channels while it lives. */
  async #openShell(line: string, preamble?: Buffer): Promise<BecomeShell> {
    this.#ensureUsable();
    const release = await this.#limiter.acquire();
    let session: ShellSession;
    try {
      const channel = await this.#guard(openSessionChannel(this.#target, line));
      session = new ShellSession(channel, preamble);
      channel.onClose(() => {
        this.#shells.delete(session);
        release();
      });
    } catch (error) {
      release();
      throw error;
    }
    this.#shells.add(session);
    return {
      get open() {
        return session.open;
      },
      run: async (program, timeoutMs) => {
        let started = false;
        const result = await this.#exchange(async () => {
          const ran = await session.run(program, timeoutMs);
          started = ran.started;
          return ran;
        }, timeoutMs);
        return { ...result, started };
      },
      ready: (line, refused) => this.#guard(session.ready(line, refused)),
    };
  }

  /** One program (one round trip): its result, or ConnectionLostError when the connection dropped. */
  async #exchange(operation: () => Promise<ChannelResult>, timeoutMs?: number): Promise<ExecResult> {
    this.#ensureUsable();
    this.#roundTrips++;
    const result = await this.#guard(operation());
    // The channel closes without an exit status when the connection dropped under it.
    if (!result.exitReported && !result.timedOut) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#lost !== undefined) throw this.#lostError();
    }
    const secret = this.becomeTarget.becomePassword?.reveal();
    const stderr = result.timedOut
      ? `${result.stderr}\napim-provision: command timed out after ${timeoutMs} ms and was killed\n`.trimStart()
      : result.stderr;
    return {
      code: result.code,
      stdout: scrubSecret(result.stdout, secret),
      stderr: scrubSecret(stderr, secret),
    };
  }

  /** Rejects the operation with ConnectionLostError as soon as the connection drops. */
  #guard<T>(operation: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onLost = (error: Error): void => reject(error);
      this.#pending.add(onLost);
      operation.then(
        (value) => {
          this.#pending.delete(onLost);
          resolve(value);
        },
        (error: Error) => {
          this.#pending.delete(onLost);
          reject(this.#lost !== undefined ? this.#lostError() : error);
        },
      );
    });
  }

  #ensureUsable(): void {
    if (this.#closed)
      throw new ConnectionLostError(this.hostName, `The connection to ${this.hostName} was closed`);
    if (this.#lost !== undefined) throw this.#lostError();
  }

  #markLost(reason: string): void {
    if (this.#closed || this.#lost !== undefined) return;
    this.#lost = reason;
    const error = this.#lostError();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }

  #lostError(): ConnectionLostError {
    return new ConnectionLostError(
      this.hostName,
      `Lost the SSH connection to ${this.hostName}: ${this.#lost}`,
    );
  }
}
