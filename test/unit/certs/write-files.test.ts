import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileExistsError, writeCertificateFiles } from '../../../src/certs/index.js';
import { tempDir } from './openssl.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('writeCertificateFiles', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('writes the key 0600 and the certificate and CSR 0644', () => {
    const dir = join(tmp.dir, 'ssl');
    const files = writeCertificateFiles(dir, 'apim', { keyPem: 'KEY\n', certPem: 'CERT\n', csrPem: 'CSR\n' });
    expect(files).toEqual({
      keyFile: join(dir, 'apim.key'),
      certFile: join(dir, 'apim.crt'),
      csrFile: join(dir, 'apim.csr'),
    });
    expect(mode(files.keyFile)).toBe(0o600);
    expect(mode(files.certFile)).toBe(0o644);
    expect(mode(files.csrFile!)).toBe(0o644);
    expect(readFileSync(files.keyFile, 'utf8')).toBe('KEY\n');
    expect(readFileSync(files.certFile, 'utf8')).toBe('CERT\n');
    expect(readdirSync(dir).sort()).toEqual(['apim.crt', 'apim.csr', 'apim.key']);
  });

  it('replaces a world-readable existing key file instead of writing into it', () => {
    const keyFile = join(tmp.dir, 'lb.key');
    writeFileSync(keyFile, 'OLD');
    chmodSync(keyFile, 0o644);
    const files = writeCertificateFiles(tmp.dir, 'lb', { keyPem: 'NEW', certPem: 'C' });
    expect(files.csrFile).toBeUndefined();
    expect(mode(keyFile)).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toBe('NEW');
  });

  it('gives exact modes whatever the umask', () => {
    const previous = process.umask(0o077);
    try {
      const files = writeCertificateFiles(tmp.dir, 'u', { keyPem: 'K', certPem: 'C' });
      expect(mode(files.certFile)).toBe(0o644);
      expect(mode(files.keyFile)).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('never replaces an existing file when told not to, and leaves nothing it wrote', () => {
    writeFileSync(join(tmp.dir, 'n.crt'), 'OLD CERT');
    expect(() => writeCertificateFiles(tmp.dir, 'n', { keyPem: 'K', certPem: 'C' }, false)).toThrow(
      FileExistsError,
    );
    expect(readFileSync(join(tmp.dir, 'n.crt'), 'utf8')).toBe('OLD CERT');
    expect(readdirSync(tmp.dir)).toEqual(['n.crt']);
  });
});
