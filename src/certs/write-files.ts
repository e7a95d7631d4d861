import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const PRIVATE_KEY_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

/**
 * Writes `content` to `path` with exactly `mode`. The data goes into a new temporary file that is
 * created with that mode (a private key is never readable by others, not even for an instant) and
 * then renamed over the target, so an existing file with looser permissions is replaced, not reused.
 */
export function writeFileWithMode(path: string, content: string, mode: number): void {
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
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

export interface WrittenCertificateFiles {
  keyFile: string;
  certFile: string;
  csrFile?: string;
}

/** Writes `<base>.key` (0600), `<base>.crt` (0644) and optionally `<base>.csr` (0644) into `dir`. */
export function writeCertificateFiles(
  dir: string,
  baseName: string,
  files: { keyPem: string; certPem: string; csrPem?: string },
): WrittenCertificateFiles {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `${baseName}.key`);
  const certFile = join(dir, `${baseName}.crt`);
  writeFileWithMode(keyFile, files.keyPem, PRIVATE_KEY_MODE);
  writeFileWithMode(certFile, files.certPem, PUBLIC_FILE_MODE);
  if (files.csrPem === undefined) return { keyFile, certFile };
  const csrFile = join(dir, `${baseName}.csr`);
  writeFileWithMode(csrFile, files.csrPem, PUBLIC_FILE_MODE);
  return { keyFile, certFile, csrFile };
}
