import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { fileDiagnostic as problem, type Diagnostic } from './diagnostics.js';

/** What a file is read as, for messages ("inventory", "group_vars file", "playbook", "template"). */
export type InputKind = string;

/**
 * Largest input file read (16 MiB). A 5,000-host inventory is about 0.5 MB; a file larger than this
 * is not something a person wrote, and reading it whole would cost memory for nothing.
 */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export type ReadResult =
  | {
      text: string;
      /** The file began with a UTF-8 byte order mark, which `text` leaves out. */
      bom?: true;
      diagnostic?: undefined;
    }
  | { text?: undefined; diagnostic: Diagnostic };

function describeNonRegular(mode: number): string {
  const type = mode & constants.S_IFMT;
  if (type === constants.S_IFDIR) return 'a directory';
  if (type === constants.S_IFIFO) return 'a FIFO (named pipe)';
  if (type === constants.S_IFCHR) return 'a character device';
  if (type === constants.S_IFBLK) return 'a block device';
  if (type === constants.S_IFSOCK) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads one input file the user named or the tool discovered. Only regular files are read (a FIFO
 * would block, /dev/zero never ends), at most `maxBytes`, and the text must be UTF-8. Every
 * refusal is a diagnostic naming the file, never an exception.
 *
 * The file is opened non-blocking and checked with fstat on the open descriptor, so a FIFO swapped
 * in after a stat cannot hang the read.
 */
export function readInputFile(file: string, kind: InputKind, maxBytes = MAX_INPUT_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return { diagnostic: problem(file, `${kind} does not exist`, 'check the path') };
    if (code === 'EACCES')
      return {
        diagnostic: problem(
          file,
          `${kind} is not readable by the current user`,
          'fix the file permissions or run as a user who may read it',
        ),
      };
    return {
      diagnostic: problem(
        file,
        `cannot read ${kind} (${code})`,
        'check the path and that the file is readable',
      ),
    };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      return {
        diagnostic: problem(
          file,
          `${kind} is ${describeNonRegular(stat.mode)}, not a regular file`,
          'name a regular file (apim-provision never reads pipes or devices)',
        ),
      };
    }
    if (stat.size > maxBytes) {
      return {
        diagnostic: problem(
          file,
          `${kind} is ${formatSize(stat.size)}, more than the ${formatSize(maxBytes)} apim-provision reads`,
          'check that this is the right file; split a very large inventory into a folder of inventory files',
        ),
      };
    }
    // Read to the end, never more than the cap: a file that grows while it is read stays bounded.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      // The first read is sized by fstat (one read for a file that does not grow), later ones bounded.
      const want = chunks.length === 0 ? stat.size + 1 : 1024 * 1024;
      const chunk = Buffer.allocUnsafe(Math.min(want, maxBytes + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      // A regular file reads short only at its end: no second read (and buffer) to find it.
      if (n < chunk.length && length <= maxBytes) break;
      if (length > maxBytes) {
        return {
          diagnostic: problem(file, `${kind} grew beyond ${formatSize(maxBytes)} while it was read`, 'retry'),
        };
      }
    }
    return decode(file, kind, Buffer.concat(chunks, length));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { diagnostic: problem(file, `cannot read ${kind} (${code})`, 'check the file') };
  } finally {
    closeSync(fd);
  }
}

// ignoreBOM keeps the mark in the text, so that the readers that Ansible's refuse it can tell.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(file: string, kind: InputKind, bytes: Buffer): ReadResult {
  try {
    const text = decoder.decode(bytes);
    return text.startsWith('\uFEFF') ? { text: text.slice(1), bom: true } : { text };
  } catch {
    return {
      diagnostic: problem(
        file,
        `${kind} is not UTF-8 text`,
        'save the file as UTF-8 (Ansible reads UTF-8 only)',
      ),
    };
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
