import { randomBytes } from 'node:crypto';

import { singleQuote } from './shell-quote.js';

/** A line no program prints by accident: ends each program's stdout and stderr in a session. */
export function newSessionMarker(): string {
  return `apim-provision session ${randomBytes(8).toString('hex')}`;
}

/**
 * What goes on a session shell's stdin for one program (shell-session.ts). One `{ }` group, so the
 * session's sh parses all of it before running any of it (a stream cut half-way runs nothing), with
 * the program in a subshell: its `exit`, traps, `set -e`, `exec` and variables end with it and never
 * reach the session shell or the next program, and its stdin is /dev/null, so nothing it runs can
 * read the next program. Then the marker on stdout with the subshell's exit status, and on stderr,
 * each behind a newline, so output without a final newline comes back byte-exact. `ranMarker`
 * (the become probe's, become-detect.ts) is printed first, before the program.
 */
export function sessionFrame(program: string, marker: string, ranMarker?: string): Buffer {
  const ran = ranMarker === undefined ? '' : `echo ${singleQuote(ranMarker)}\n`;
  const m = singleQuote(marker);
  // The newline after the program ends a last line that has none (a comment would swallow the paren).
  return Buffer.from(
    `{\n${ran}(\n${program}\n) </dev/null\nprintf '\\n%s %s\\n' ${m} "$?"\nprintf '\\n%s\\n' ${m} >&2\n}\n`,
  );
}

/** The channel a session shell runs on: an SSH exec channel, or a local child process in tests. */
export interface SessionChannel {
  write(data: Buffer): void;
  /** Closes stdin: the shell reads the end of its input and exits. */
  end(): void;
  /** Kills the shell and closes the channel (a timeout). */
  kill(): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  /** The shell's exit code (128 + n for signal n), or undefined when none was reported. */
  onClose(listener: (code: number | undefined) => void): void;
}

/** One program's output as the session shell framed it, once both markers came. */
export interface FramedOutput {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** One stream's bytes, with a cheap look at whether a marker may have come. */
class Stream {
  chunks: Buffer[] = [];
  #tail = Buffer.alloc(0);

  constructor(private readonly window: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.#tail = Buffer.concat([this.#tail, chunk]);
    if (this.#tail.length > 2 * this.window) this.#tail = this.#tail.subarray(-this.window);
  }

  /** `needle` may be in the stream: it is in the bytes since the last look. */
  saw(needle: Buffer): boolean {
    const seen = this.#tail.includes(needle);
    this.#tail = this.#tail.subarray(-this.window);
    return seen;
  }

  all(): Buffer {
    const whole = Buffer.concat(this.chunks);
    this.chunks = [whole];
    return whole;
  }

  keep(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.#tail = Buffer.from(rest);
  }
}

/** Collects a session's stdout and stderr and tells where the running program's output ends. */
export class FrameReader {
  readonly #out: Stream;
  readonly #err: Stream;
  readonly #outStart: Buffer;
  readonly #outEnd: RegExp;
  readonly #errEnd: Buffer;
  #outSeen = false;
  #errSeen = false;

  constructor(marker: string) {
    if (!/^[a-z0-9 -]+$/.test(marker)) throw new Error('a session marker is letters, digits and spaces');
    this.#outStart = Buffer.from(`\n${marker} `);
    this.#outEnd = new RegExp(`\\n${marker} (\\d{1,3})\\n`);
    this.#errEnd = Buffer.from(`\n${marker}\n`);
    this.#out = new Stream(marker.length + 8);
    this.#err = new Stream(marker.length + 8);
  }

  stdout(chunk: Buffer): void {
    this.#out.push(chunk);
  }

  stderr(chunk: Buffer): void {
    this.#err.push(chunk);
  }

  /** What has come so far, markers not seen (the shell ended mid-program). */
  partial(): { stdout: Buffer; stderr: Buffer } {
    return { stdout: this.#out.all(), stderr: this.#err.all() };
  }

  /** The finished program's output, taken out of the buffers; undefined while a marker is missing. */
  take(): FramedOutput | undefined {
    this.#outSeen ||= this.#out.saw(this.#outStart);
    this.#errSeen ||= this.#err.saw(this.#errEnd);
    if (!this.#outSeen || !this.#errSeen) return undefined;
    const stdout = this.#out.all();
    const stderr = this.#err.all();
    // latin1: one character per byte, so the match's index is a byte offset.
    const out = this.#outEnd.exec(stdout.toString('latin1'));
    const errAt = stderr.indexOf(this.#errEnd);
    if (!out) {
      this.#outSeen = false; // the line's status has not come yet
      return undefined;
    }
    this.#outSeen = this.#errSeen = false;
    // Bytes after a marker (a background process still writing) go to the next program.
    this.#out.keep(stdout.subarray(out.index + out[0].length));
    this.#err.keep(stderr.subarray(errAt + this.#errEnd.length));
    return { code: Number(out[1]), stdout: stdout.subarray(0, out.index), stderr: stderr.subarray(0, errAt) };
  }
}
