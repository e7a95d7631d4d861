import { killAfter, TIMEOUT_EXIT_CODE, type ChannelResult } from './channel-exec.js';
import { FrameReader, newSessionMarker, sessionFrame, type SessionChannel } from './session-frame.js';

/** One program's result; `ended`: the session's shell is gone (it must not be used again). */
export interface SessionResult extends ChannelResult {
  ended: boolean;
  /** The shell printed the program's begin line; false: none of the program ran (the shell was gone). */
  started: boolean;
}

/** What a shell printed before it was ready (password mode): `ready` false, it ended instead. */
export interface ReadyResult {
  ready: boolean;
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * One long-lived shell reading programs on its stdin (session-frame.ts), one program at a time:
 * the next is written only once the previous one's output ended (both end lines came), so nothing a
 * program leaves running can read it. When the shell ends mid-program (it was killed, a syntax
 * error ended it, the connection dropped), that program's result is what the channel reported, and
 * `started` says whether any of it ran. Output that comes outside a program (a process a program
 * left behind still writing) is no program's: the session is retired at once (its channel closed,
 * not waited for), so that process cannot write into a later program's result.
 */
export class ShellSession {
  readonly #reader: FrameReader;
  readonly #marker: string;
  #ended = false;
  #retired = false;
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
      this.#data();
    });
    channel.onStderr((chunk) => {
      this.#reader.stderr(chunk);
      this.#data();
    });
    channel.onClose((code) => {
      this.#ended = true;
      this.#exitCode = code;
      this.#current?.(true);
    });
    if (preamble) channel.write(preamble);
  }

  /** False once the shell is gone or retired: the next program needs a new session. */
  get open(): boolean {
    return !this.#ended && !this.#retired;
  }

  /**
   * Waits until the shell printed `line` on stdout before any program (sudo took the password and
   * started it). When `refused` finds the stderr so far to say it will not be, stdin is ended, so
   * that sudo reads nothing more; then the result is what the shell printed before it ended.
   */
  ready(line: string, refused: (stderr: string) => boolean): Promise<ReadyResult> {
    const wanted = Buffer.from(`${line}\n`);
    let stdinEnded = false;
    return new Promise((resolve) => {
      const check = (ended: boolean): void => {
        const { stdout, stderr } = this.#reader.partial();
        if (!ended && stdout.includes(wanted)) {
          this.#current = undefined;
          resolve({ ready: true, code: undefined, stdout: '', stderr: '' });
          return;
        }
        if (ended) {
          this.#current = undefined;
          resolve({
            ready: false,
            code: this.#exitCode,
            stdout: stdout.toString(),
            stderr: stderr.toString(),
          });
          return;
        }
        if (!stdinEnded && refused(stderr.toString())) {
          stdinEnded = true;
          this.channel.end();
        }
      };
      this.#current = check;
      check(this.#ended);
    });
  }

  /** Runs `program`, after any program still running. */
  run(program: string, timeoutMs?: number): Promise<SessionResult> {
    const result = this.#tail.then(() => this.#runNow(program, timeoutMs));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Ends the shell's input: it exits once idle. */
  close(): void {
    if (!this.#ended) this.channel.end();
  }

  #runNow(program: string, timeoutMs: number | undefined): Promise<SessionResult> {
    if (!this.open) return Promise.resolve(this.#endedResult(false));
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
        if (framed === undefined) {
          resolve(this.#endedResult(timedOut));
          return;
        }
        resolve({
          code: framed.code,
          stdout: framed.stdout.toString('utf8'),
          stderr: framed.stderr.toString('utf8'),
          exitReported: true,
          timedOut: false,
          ended: false,
          started: true,
        });
        this.#data();
      };
      this.#current = settle;
      this.channel.write(sessionFrame(program, this.#marker));
    });
  }

  /** New bytes: the running program's (or the readiness wait's), else a leftover's, which retires the session. */
  #data(): void {
    if (this.#current) this.#current(false);
    else if (!this.#retired && !this.#ended && this.#reader.stray) {
      this.#retired = true;
      this.channel.close();
    }
  }

  /**
   * The running program's result when the shell ended under it (or was gone): the channel's exit
   * code, and what came after the begin lines, or (none of it ran) before them: sudo's refusal.
   */
  #endedResult(timedOut: boolean): SessionResult {
    const { stdout, stderr, started } = this.#reader.partial();
    return {
      code: timedOut ? TIMEOUT_EXIT_CODE : (this.#exitCode ?? 255),
      stdout: stdout.toString('utf8'),
      stderr: stderr.toString('utf8'),
      exitReported: this.#exitCode !== undefined,
      timedOut,
      ended: true,
      started,
    };
  }
}
