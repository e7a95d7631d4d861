import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fchmodSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const PRIVATE_KEY_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

/** A file that was to be written without replacing anything already exists. */
export class FileExistsError extends Error {
  override readonly name = 'FileExistsError';
  constructor(readonly path: string) {
    super(`${path} exists`);
  }
}

/**
 * Writes `content` to `path` with exactly `mode`. The data goes into a new temporary file that is
 * created with that mode (a private key is never readable by others, not even for an instant) and
 * then renamed over the target, so an existing file with looser permissions is replaced, not reused.
 * With `replace: false` an existing file is never replaced: the temporary file is hard-linked to
 * `path`, which fails atomically if anything is there (FileExistsError).
 */
export function writeFileWithMode(path: string, content: string, mode: number, replace = true): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    fchmodSync(fd, mode); // the umask may have removed bits we want (e.g. 0644 under umask 077)
    writeSync(fd, content);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    if (replace) renameSync(temp, path);
    else linkSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(path);
    throw err;
  }
  if (!replace) rmSync(temp, { force: true });
}

export interface WrittenCertificateFiles {
  keyFile: string;
  certFile: string;
  csrFile?: string;
}

/** The files `writeCertificateFiles` writes for `baseName` in `dir`. */
export function certificateFilePaths(dir: string, baseName: string): Required<WrittenCertificateFiles> {
  return {
    keyFile: join(dir, `${baseName}.key`),
    certFile: join(dir, `${baseName}.crt`),
    csrFile: join(dir, `${baseName}.csr`),
  };
}

/** Those of the files that exist already. */
export function existingCertificateFiles(dir: string, baseName: string): string[] {
  return Object.values(certificateFilePaths(dir, baseName)).filter((f) => existsSync(f));
}

/**
 * Writes `<base>.key` (0600), `<base>.crt` (0644) and optionally `<base>.csr` (0644) into `dir`.
 * Existing files are replaced only with `replace`; otherwise one that exists fails the write with
 * FileExistsError and the files this call wrote are removed again: no new key is left next to
 * an old certificate.
 */
export function writeCertificateFiles(
  dir: string,
  baseName: string,
  files: { keyPem: string; certPem: string; csrPem?: string },
  replace = true,
): WrittenCertificateFiles {
  mkdirSync(dir, { recursive: true });
  const paths = certificateFilePaths(dir, baseName);
  const plan: [string, string, number][] = [
    [paths.keyFile, files.keyPem, PRIVATE_KEY_MODE],
    [paths.certFile, files.certPem, PUBLIC_FILE_MODE],
    ...(files.csrPem !== undefined
      ? [[paths.csrFile, files.csrPem, PUBLIC_FILE_MODE] as [string, string, number]]
      : []),
  ];
  const written: string[] = [];
  try {
    for (const [path, content, mode] of plan) {
      writeFileWithMode(path, content, mode, replace);
      written.push(path);
    }
  } catch (err) {
    if (!replace) for (const path of written) rmSync(path, { force: true });
    throw err;
  }
  const { keyFile, certFile, csrFile } = paths;
  return files.csrPem === undefined ? { keyFile, certFile } : { keyFile, certFile, csrFile };
}
