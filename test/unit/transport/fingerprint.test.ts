import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { keyBlobType, keyTypeLabel, sshFingerprint } from '../../../src/transport/fingerprint.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-fingerprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sshFingerprint', () => {
  for (const type of ['ed25519', 'rsa', 'ecdsa'] as const) {
    it(`matches ssh-keygen -lf for a ${type} key`, () => {
      const file = join(dir, type);
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
      const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
      const blob = Buffer.from(base64!, 'base64');
      // ssh-keygen prints: "<bits> SHA256:<base64 without padding> <comment> (<TYPE>)".
      const printed = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).trim();
      const [, fingerprint] = printed.split(' ');
      expect(sshFingerprint(blob)).toBe(fingerprint);
      expect(sshFingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(keyBlobType(blob)).toBe(keyType);
      expect(printed.endsWith(`(${keyTypeLabel(keyType!)})`)).toBe(true);
    });
  }

  it('rejects blobs too short to name a key type', () => {
    expect(() => keyBlobType(Buffer.from([0, 0, 0, 9, 1]))).toThrow(/bad type length/);
    expect(() => keyBlobType(Buffer.alloc(2))).toThrow(/too short/);
  });
});
