import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/**
 * Output paths are checked before anything runs: a report or picture that cannot be written is
 * a usage error (exit 5) now, not a stack trace after the hosts were changed.
 */

class OutputPathProblem extends Error {}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // ENOTDIR: a file stands where a folder of the path should be.
    if (code === 'ENOTDIR') throw new OutputPathProblem(`${describeFileInPath(path)} is not a folder`);
    throw new OutputPathProblem(`cannot be inspected (${code ?? String(err)})`);
  }
}

/** The file that stands where a folder of `path` should be (for ENOTDIR). */
function describeFileInPath(path: string): string {
  for (let at = dirname(resolve(path)); dirname(at) !== at; at = dirname(at)) {
    try {
      return statSync(at).isDirectory() ? path : at;
    } catch {
      // not there: look further up
    }
  }
  return path;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why `file` cannot be written (created or replaced), or undefined when it can. */
export function unwritableFileReason(file: string): string | undefined {
  try {
    const stat = statOf(file);
    if (stat) {
      if (stat.isDirectory()) return 'is a folder';
      if (!stat.isFile()) return 'is not a regular file';
      return writable(file) ? undefined : 'is not writable by the current user';
    }
    const parent = statOf(dirname(resolve(file)));
    if (!parent) return `cannot be created: its folder ${dirname(resolve(file))} does not exist`;
    if (!parent.isDirectory()) return `cannot be created: ${dirname(resolve(file))} is not a folder`;
    return writable(dirname(resolve(file)))
      ? undefined
      : `cannot be created: its folder ${dirname(resolve(file))} is not writable by the current user`;
  } catch (err) {
    if (err instanceof OutputPathProblem) return err.message;
    throw err;
  }
}

/** Why files cannot be written into `folder` (created with its parents when missing), or undefined. */
export function unwritableFolderReason(folder: string): string | undefined {
  try {
    let at = resolve(folder);
    for (;;) {
      const stat = statOf(at);
      if (stat) {
        if (!stat.isDirectory()) return at === resolve(folder) ? 'is not a folder' : `${at} is not a folder`;
        return writable(at) ? undefined : `${at} is not writable by the current user`;
      }
      const parent = dirname(at);
      if (parent === at) return 'cannot be created';
      at = parent;
    }
  } catch (err) {
    if (err instanceof OutputPathProblem) return err.message;
    throw err;
  }
}

/** Refuses an output file that cannot be written; `-` (stdout) is accepted where `allowStdout`. */
export function checkOutputFile(file: string, flag: string, allowStdout = false): void {
  if (allowStdout && file === '-') return;
  if (file === '') throw new UsageError(`${flag}: name a file`);
  const reason = unwritableFileReason(file);
  if (reason) throw new UsageError(`${flag} ${file}: ${reason}: name a file that can be written`);
}

/** Refuses an output folder that cannot be created or written into. */
export function checkOutputFolder(folder: string, flag: string): void {
  if (folder === '') throw new UsageError(`${flag}: name a folder`);
  const reason = unwritableFolderReason(folder);
  if (reason) throw new UsageError(`${flag} ${folder}: ${reason}: name a folder that can be written`);
}
