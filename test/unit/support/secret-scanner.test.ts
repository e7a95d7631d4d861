import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretScanner } from '../../support/secret-scanner.js';

const SECRET = 'Tr0ub4dor&3-horse-battery';

describe('SecretScanner', () => {
  const scanner = new SecretScanner().add('the become password', SECRET);

  it.each([
    ['as is', `sudo: ${SECRET}`],
    ['upper case', `X ${SECRET.toUpperCase()} Y`],
    ['lower case', SECRET.toLowerCase()],
    ['reversed', [...SECRET].reverse().join('')],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['hex', Buffer.from(SECRET).toString('hex')],
    ['url-encoded', `?p=${encodeURIComponent(SECRET)}`],
    ['first 12 characters', `${SECRET.slice(0, 12)}…`],
  ])('finds the secret %s', (form, text) => {
    expect(scanner.leaks('stdout', text).map((l) => l.form)).toContain(form);
    expect(() => scanner.assertClean('stdout', text)).toThrow(/the become password leaked .* in stdout/);
  });

  it('never prints the value it found', () => {
    expect(() => scanner.assertClean('--json', SECRET)).toThrow(/^(?!.*Tr0ub4dor)/);
  });

  it('passes clean text, and refuses to scan with no secret', () => {
    expect(scanner.leaks('stdout', 'ok=3 changed=0 password: ********')).toEqual([]);
    expect(() => new SecretScanner().assertClean('stdout', 'x')).toThrow(/knows no secret/);
  });

  it('finds a private key by its header and by a body line', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keys = new SecretScanner().addPem('the TLS key', pem);
    expect(keys.leaks('diff', pem).length).toBeGreaterThan(1);
    const line = pem.split('\n')[1]!;
    expect(keys.leaks('log', `+${line}`)[0]).toMatchObject({ label: 'the TLS key', channel: 'log' });
  });
});
