import { randomBytes } from 'node:crypto';

import { singleQuote } from './shell-quote.js';

/** A line no program prints by accident: ends each program's stdout and stderr in a session. */
export function newSessionMarker(): string {
  return `apim-provision session ${randomBytes(8).toString('hex')}`;
}

/**
 * What goes on a session shell's stdin for one program (shell-session.ts). One `{ }` group, so the
 * session's sh parses all of it before running any of it (a stream cut half-way runs nothing). Its
 * first action prints the begin line on stdout and stderr: a session that ends before it ran
 * nothing of the program, and bytes before it are no program's. The program runs in a subshell:
 * its `exit`, traps, `set -e`, `exec` and variables end with it and never reach the session shell
 * or the next program, and its stdin is /dev/null, so nothing it runs can read the next program.
 * Then the end line, the marker with the subshell's exit status on stdout and the marker alone on
 * stderr, each behind a newline, so output without a final newline comes back byte-exact.
 */
export function sessionFrame(program: string, marker: string): Buffer {
  const m = singleQuote(marker);
  // The newline after the program ends a last line that has none (a comment would swallow the paren).
  return Buffer.from(
    `{\nprintf '%s begin\\n' ${m}; printf '%s begin\\n' ${m} >&2\n(\n${program}\n) </dev/null\n` +
      `printf '\\n%s %s\\n' ${m} "$?"; printf '\\n%s\\n' ${m} >&2\n}\n`,
  );
}

/** The channel a session shell runs on: an SSH exec channel, or a local child process in tests. */
export interface SessionChannel {
  write(data: Buffer): void;
  /** Closes stdin: the shell reads the end of its input and exits. */
  end(): void;
  /** Kills the shell and closes the channel (a timeout). */
  kill(): void;
  /**
   * Ends stdin and closes the channel without waiting for it: the shell exits, and a process a
   * program left behind holding its output cannot keep the channel (or its slot) open.
   */
  close(): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  /** The shell's exit code (128 + n for signal n), or undefined when none was reported. */
  onClose(listener: (code: number | undefined) => void): void;
}

/** One program's output as the session shell framed it, once both end lines came. */
export interface FramedOutput {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * One stream of a session: the bytes before the running program's begin line (`pre`), then the
 * program's own, up to its end line. Bytes outside a program once one has ended are a leftover's.
 */
class Stream {
  #bytes: Buffer = EMPTY;
  /** Where a marker not found yet may start. */
  #from = 0;
  #begun = false;
  #ended = false;
  /** Bytes came outside a program (after an end line, or before the next begin line). */
  stray = false;

  constructor(
    private readonly begin: Buffer,
    private readonly end: Buffer,
    /** Stdout's end line carries the exit status: `<end> <digits>\n`; stderr's is `<end>\n`. */
    private readonly withStatus: boolean,
  ) {}

  push(chunk: Buffer): void {
    this.#bytes = this.#bytes.length === 0 ? chunk : Buffer.concat([this.#bytes, chunk]);
  }

  /** Whether the begin line came; what was before it is dropped (`pre` until then). */
  begun(): boolean {
    if (this.#begun) return true;
    const at = this.#bytes.indexOf(this.begin, this.#from);
    if (at < 0) {
      this.#from = Math.max(0, this.#bytes.length - this.begin.length + 1);
      if (this.#ended && this.#bytes.length > 0) this.stray = true;
      return false;
    }
    if (this.#ended && at > 0) this.stray = true;
    this.#bytes = this.#bytes.subarray(at + this.begin.length);
    this.#from = 0;
    this.#begun = true;
    return true;
  }

  /** The program's bytes and its status (stdout) once its end line came, leaving what follows. */
  finish(): { bytes: Buffer; code: number } | undefined {
    if (!this.begun()) return undefined;
    for (;;) {
      const at = this.#bytes.indexOf(this.end, this.#from);
      if (at < 0) {
        this.#from = Math.max(0, this.#bytes.length - this.end.length + 1);
        return undefined;
      }
      const line = this.#endLine(at + this.end.length);
      if (line === 'wait') {
        this.#from = at;
        return undefined;
      }
      if (line === undefined) {
        this.#from = at + 1;
        continue;
      }
      const bytes = this.#bytes.subarray(0, at);
      this.#bytes = this.#bytes.subarray(line.next);
      this.#from = 0;
      this.#begun = false;
      this.#ended = true;
      if (this.#bytes.length > 0) this.stray = true;
      return { bytes, code: line.code };
    }
  }

  /**
   * What came of the running program when the shell ended; before its begin line, what the
   * session's start printed (sudo's refusal), none once a program ended (a leftover's bytes).
   */
  partial(): { bytes: Buffer; begun: boolean } {
    const begun = this.begun();
    return { bytes: begun || !this.#ended ? this.#bytes : EMPTY, begun };
  }

  /** The rest of the end line from `i`: its status and where it ends, 'wait' if not all here. */
  #endLine(i: number): { code: number; next: number } | 'wait' | undefined {
    const bytes = this.#bytes;
    if (!this.withStatus) {
      if (i >= bytes.length) return 'wait';
      return bytes[i] === NEWLINE ? { code: 0, next: i + 1 } : undefined;
    }
    if (i >= bytes.length) return 'wait';
    if (bytes[i] !== 0x20) return undefined;
    let code = 0;
    for (let j = i + 1; j <= i + 4; j++) {
      if (j >= bytes.length) return 'wait';
      const byte = bytes[j]!;
      if (byte === NEWLINE) return j > i + 1 ? { code, next: j + 1 } : undefined;
      if (byte < 0x30 || byte > 0x39 || j === i + 4) return undefined;
      code = code * 10 + (byte - 0x30);
    }
    return undefined;
  }
}

/** Collects a session's stdout and stderr and tells where the running program's output begins and ends. */
export class FrameReader {
  readonly #out: Stream;
  readonly #err: Stream;
  /** Stdout's end line came (status and bytes), stderr's not yet. */
  #code: number | undefined;
  #pendingOut: Buffer = EMPTY;

  constructor(marker: string) {
    if (!/^[a-z0-9 -]+$/.test(marker)) throw new Error('a session marker is letters, digits and spaces');
    const begin = Buffer.from(`${marker} begin\n`);
    this.#out = new Stream(begin, Buffer.from(`\n${marker}`), true);
    this.#err = new Stream(begin, Buffer.from(`\n${marker}`), false);
  }

  stdout(chunk: Buffer): void {
    this.#out.push(chunk);
  }

  stderr(chunk: Buffer): void {
    this.#err.push(chunk);
  }

  /** The running program started: the shell printed its begin line (on stdout, the first one). */
  get started(): boolean {
    return this.#out.begun();
  }

  /** Bytes came outside any program since one ended: a process a program left behind writes. */
  get stray(): boolean {
    this.#out.begun();
    this.#err.begun();
    return this.#out.stray || this.#err.stray;
  }

  /** What came when the shell ended mid-program: after the begin lines, or before them if none came. */
  partial(): { stdout: Buffer; stderr: Buffer; started: boolean } {
    const out = this.#out.partial();
    return { stdout: out.bytes, stderr: this.#err.partial().bytes, started: out.begun };
  }

  /** The finished program's output, taken out of the buffers; undefined while an end line is missing. */
  take(): FramedOutput | undefined {
    if (this.#code === undefined) {
      const out = this.#out.finish();
      if (out === undefined) return undefined;
      this.#code = out.code;
      this.#pendingOut = out.bytes;
    }
    const err = this.#err.finish();
    if (err === undefined) return undefined;
    const framed = { code: this.#code, stdout: this.#pendingOut, stderr: err.bytes };
    this.#code = undefined;
    this.#pendingOut = EMPTY;
    return framed;
  }
}
