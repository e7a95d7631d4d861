import { accessSync, constants, statSync } from 'node:fs';

/** What a path is (symbolic links followed), or undefined when it does not exist or cannot be seen. */
export function pathKind(path: string): 'file' | 'dir' | 'other' | undefined {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An `-i` value that is a comma-separated host list (Ansible: a comma, and no such path). */
export function isHostList(source: string): boolean {
  return source.includes(',') && pathKind(source) === undefined;
}
