import { killAfter, TIMEOUT_EXIT_CODE, type ChannelResult } from './channel-exec.js';
import { FrameReader, newSessionMarker, sessionFrame, type SessionChannel } from './session-frame.js';

/** One program's result; `ended`: the session's shell is gone (it must not be used again). */
export interface SessionResult extends ChannelResult {
  ended: boolean;
}

/**
 * One long-lived shell reading programs on its stdin (session-frame.ts), one program at a time:
 * the next is written only once the previous one's output ended (both markers came), so nothing a
 * program leaves running can read it. When the shell ends mid-program (it was killed, a syntax
 * error ended it, the connection dropped), that program's result is what the channel reported.
 */
export class ShellSession {
  readonly #reader: FrameReader;
  readonly #marker: string;
  #ended = false;
  #exitCode: number | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #current: ((ended: boolean) => void) | undefined;

  constructor(
    private readonly channel: SessionChannel,
    preamble?: Buffer,
    marker = newSessionMarker(),
  ) {
    this.#marker = marker;
    this.#reader = new FrameReader(marker);
    channel.onStdout((chunk) => {
      this.#reader.stdout(chunk);
      this.#current?.(false);
    });
    channel.onStderr((chunk) => {
      this.#reader.stderr(chunk);
      this.#current?.(false);
    });
    channel.onClose((code) => {
      this.#ended = true;
      this.#exitCode = code;
      this.#current?.(true);
    });
    if (preamble) channel.write(preamble);
  }

  /** False once the shell is gone: the next program needs a new session. */
  get open(): boolean {
    return !this.#ended;
  }

  /** Runs `program`, after any program still running; `ranMarker` is printed before it runs. */
  run(program: string, timeoutMs?: number, ranMarker?: string): Promise<SessionResult> {
    const result = this.#tail.then(() => this.#runNow(program, timeoutMs, ranMarker));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Ends the shell's input: it exits once idle. */
  close(): void {
    if (!this.#ended) this.channel.end();
  }

  #runNow(
    program: string,
    timeoutMs: number | undefined,
    ranMarker: string | undefined,
  ): Promise<SessionResult> {
    if (this.#ended) return Promise.resolve(this.#endedResult(false));
    return new Promise((resolve) => {
      let timedOut = false;
      const timer = killAfter(timeoutMs, () => {
        timedOut = true;
        this.#ended = true;
        this.channel.kill();
        settle(true);
      });
      const settle = (ended: boolean): void => {
        const framed = ended ? undefined : this.#reader.take();
        if (!ended && framed === undefined) return;
        this.#current = undefined;
        clearTimeout(timer);
        if (framed === undefined) resolve(this.#endedResult(timedOut));
        else
          resolve({
            code: framed.code,
            stdout: framed.stdout.toString('utf8'),
            stderr: framed.stderr.toString('utf8'),
            exitReported: true,
            timedOut: false,
            ended: false,
          });
      };
      this.#current = settle;
      this.channel.write(sessionFrame(program, this.#marker, ranMarker));
    });
  }

  /** The running program's result when the shell ended under it: the channel's exit code. */
  #endedResult(timedOut: boolean): SessionResult {
    const { stdout, stderr } = this.#reader.partial();
    return {
      code: timedOut ? TIMEOUT_EXIT_CODE : (this.#exitCode ?? 255),
      stdout: stdout.toString('utf8'),
      stderr: stderr.toString('utf8'),
      exitReported: this.#exitCode !== undefined,
      timedOut,
      ended: true,
    };
  }
}
