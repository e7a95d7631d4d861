import { readInputFile } from '../input/read-input-file.js';
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Resolves a path written in the inventory: `~` is the home folder, relative is from the inventory folder. */
export function resolveInventoryPath(written: string, inventoryDir: string, home: string): string {
  if (written === '~') return home;
  if (written.startsWith('~/')) return join(home, written.slice(2));
  return isAbsolute(written) ? written : resolve(inventoryDir, written);
}

/** Why a local file cannot be read, or undefined when it can. */
export function unreadableReason(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'is not a regular file';
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'EACCES') return 'is not readable by the current user';
    return `cannot be read (${code ?? 'error'})`;
  }
}

/**
 * A controller file's text through the one safe reader (regular files only, size-capped); throws
 * with the reader's message, which the caller reports at its variable.
 */
export function readText(file: string, variable: string): string {
  const read = readInputFile(file, `${variable} (${file})`);
  if (read.diagnostic) throw new Error(read.diagnostic.message);
  return read.text;
}
