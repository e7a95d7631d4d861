import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import { Redactor } from '../../../src/report/redactor.js';

const PEM_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('Redactor', () => {
  it('replaces a registered value everywhere, from a Secret or a string', () => {
    const r = new Redactor();
    r.add(new Secret('hunter2-pass'));
    r.add('s3cr3t-token');
    expect(r.scrub('sudo: hunter2-pass; token=s3cr3t-token; again hunter2-pass')).toBe(
      'sudo: ********; token=********; again ********',
    );
  });

  it('replaces the base64 forms, padded and unpadded', () => {
    const r = new Redactor();
    r.add('licence-key-1');
    const b64 = Buffer.from('licence-key-1').toString('base64');
    expect(b64.endsWith('=')).toBe(true);
    expect(r.scrub(`Authorization: Basic ${b64}`)).toBe('Authorization: Basic ********');
    expect(r.scrub(`x=${b64.replace(/=+$/, '')}`)).toBe('x=********');
  });

  it('replaces each line of a multi-line secret on its own', () => {
    const r = new Redactor();
    r.add(new Secret('first line of licence\nsecond line of licence\nok'));
    const out = r.scrub('error near: second line of licence (line 2)');
    expect(out).toBe('error near: ******** (line 2)');
  });

  it('replaces the JSON-escaped form of a secret with quotes or newlines', () => {
    const r = new Redactor();
    r.add('pa"ss\nword');
    expect(r.scrub('{"password":"pa\\"ss\\nword"}')).toBe('{"password":"********"}');
  });

  it('always removes PEM private key blocks, registered or not, in every variant', () => {
    const r = new Redactor();
    for (const label of [
      'RSA PRIVATE KEY',
      'EC PRIVATE KEY',
      'PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
      'OPENSSH PRIVATE KEY',
    ]) {
      const text = `before\n-----BEGIN ${label}-----\nQUJDREVGR0g=\n-----END ${label}-----\nafter`;
      expect(r.scrub(text)).toBe('before\n********\nafter');
    }
  });

  it('removes a PEM private key cut off before its END line', () => {
    const r = new Redactor();
    expect(r.scrub('stderr: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe(
      'stderr: ********',
    );
  });

  it('keeps certificates (public) intact', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(new Redactor().scrub(cert)).toBe(cert);
  });

  it('hides lines of a registered key even when they appear outside a PEM block (a diff)', () => {
    const r = new Redactor();
    r.add(new Secret(PEM_KEY));
    const diff = '+MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n context';
    expect(r.scrub(diff)).toBe('+********\n context');
  });

  it('replaces a secret containing another one whole', () => {
    const r = new Redactor();
    r.add('abcd');
    r.add('xxabcdyy');
    expect(r.scrub('v=xxabcdyy')).toBe('v=********');
  });

  it('scrubs short secrets only as whole tokens and ignores empty ones', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('');
    r.add(undefined);
    expect(r.scrub('password=abc')).toBe('password=********');
    expect(r.scrub('abc')).toBe('********');
    expect(r.scrub('abcdef cabin label')).toBe('abcdef cabin label');
  });

  it('treats regular expression characters in secrets literally', () => {
    const r = new Redactor();
    r.add('a.b*c+(d)');
    expect(r.scrub('aXbbbc+(d) a.b*c+(d)')).toBe('aXbbbc+(d) ********');
  });

  it('scrubDeep copies objects and arrays, scrubs strings and errors, and hides Secret objects', () => {
    const r = new Redactor();
    r.add('topsecret');
    const input = {
      a: 'x topsecret',
      list: ['topsecret', 3, null, true],
      nested: { s: new Secret('whatever'), e: new Error('bad topsecret') },
    };
    const out = r.scrubDeep(input);
    expect(out.a).toBe('x ********');
    expect(out.list).toEqual(['********', 3, null, true]);
    expect(out.nested.s).toBe('********');
    expect(out.nested.e.message).toBe('bad ********');
    expect(input.a).toBe('x topsecret');
  });

  it('scrubDeep copies only what it changes, and never changes its input', () => {
    const r = new Redactor();
    r.add('topsecret');
    const clean = { name: 'task', tags: ['a', 'b'], at: { line: 3 } };
    const input = { clean, dirty: { kept: ['x'], msg: ['ok', 'topsecret'] } };
    const out = r.scrubDeep(input);
    expect(out.clean).toBe(clean);
    expect(out.dirty.kept).toBe(input.dirty.kept);
    expect(out).not.toBe(input);
    expect(out.dirty).not.toBe(input.dirty);
    expect(out.dirty.msg).toEqual(['ok', '********']);
    expect(input.dirty.msg).toEqual(['ok', 'topsecret']);
    expect(r.scrubDeep(clean)).toBe(clean);
  });

  it('scrubDeep scrubs a string seen before a secret was added once that secret is known', () => {
    const r = new Redactor();
    const event = { message: 'login as hunter22', detail: ['hunter22'] };
    expect(r.scrubDeep(event, (s) => `[${s}]`)).toEqual({
      message: '[login as hunter22]',
      detail: ['[hunter22]'],
    });
    r.add('hunter22');
    expect(r.scrubDeep(event)).toEqual({ message: 'login as ********', detail: ['********'] });
    expect(r.scrubDeep(event, (s) => `[${s}]`)).toEqual({
      message: '[login as ********]',
      detail: ['[********]'],
    });
  });
});
