import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { checkHostKey, preferredHostKeyAlgorithms } from '../../../src/transport/host-key-check.js';
import {
  hostFieldMatches,
  knownHostsFor,
  knownHostsName,
  parseKnownHosts,
} from '../../../src/transport/known-hosts.js';
import { appendKnownHost, formatKnownHostsLine } from '../../../src/transport/known-hosts-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real public key line from ssh-keygen: `type base64`. */
function generateKey(
  type: 'ed25519' | 'rsa' | 'ecdsa',
  name: string,
): { type: string; base64: string; blob: Buffer } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  return { type: keyType!, base64: base64!, blob: Buffer.from(base64!, 'base64') };
}

const ed = generateKey('ed25519', 'ed');
const rsa = generateKey('rsa', 'rsa');
const other = generateKey('ed25519', 'other');

describe('knownHostsName', () => {
  it('uses the bare host on port 22 and [host]:port otherwise, lower-cased', () => {
    expect(knownHostsName('LB1.Example.com', 22)).toBe('lb1.example.com');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });
});

describe('parseKnownHosts', () => {
  it('parses plain, comma-separated, port and marker lines and skips the rest', () => {
    const text = [
      '# a comment',
      '',
      `lb1,10.0.0.5 ${ed.type} ${ed.base64} comment words`,
      `[lb2]:2222 ${rsa.type} ${rsa.base64}`,
      `@revoked * ${other.type} ${other.base64}`,
      `@cert-authority *.example.com ${ed.type} ${ed.base64}`,
      `@unknown-marker lb3 ${ed.type} ${ed.base64}`,
      `lb4 ssh-ed25519`,
      `lb5 ssh-rsa ${ed.base64}`,
      `lb6 ssh-ed25519 not*base64`,
    ].join('\n');
    const entries = parseKnownHosts(text, '/k');
    expect(entries.map((entry) => [entry.line, entry.marker, entry.hosts, entry.keyType])).toEqual([
      [3, undefined, 'lb1,10.0.0.5', 'ssh-ed25519'],
      [4, undefined, '[lb2]:2222', 'ssh-rsa'],
      [5, 'revoked', '*', 'ssh-ed25519'],
      [6, 'cert-authority', '*.example.com', 'ssh-ed25519'],
    ]);
    expect(entries[0]!.keyBlob.equals(ed.blob)).toBe(true);
  });

  it('matches entries hashed by ssh-keygen -H', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `[lb2]:2222 ${ed.type} ${ed.base64}\nlb1 ${rsa.type} ${rsa.base64}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'pipe' });
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(entries.every((entry) => entry.hosts.startsWith('|1|'))).toBe(true);
    expect(checkHostKey(entries, '[lb2]:2222', ed.blob).kind).toBe('known');
    expect(checkHostKey(entries, 'lb1', rsa.blob).kind).toBe('known');
    expect(checkHostKey(entries, 'lb2', ed.blob).kind).toBe('unknown');
    expect(checkHostKey(entries, '[lb1]:2222', rsa.blob).kind).toBe('unknown');
  });
});

describe('knownHostsFor', () => {
  const lines = (entries: { file: string; line: number }[]) => entries.map((e) => `${e.file}:${e.line}`);

  it("finds a host's entries among plain, comma-separated, hashed, wildcard and negated ones, in order", async () => {
    const hashed = join(dir, 'for-hashed');
    writeFileSync(hashed, `lb1 ${rsa.type} ${rsa.base64}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed], { stdio: 'pipe' });
    const plain = join(dir, 'for-plain');
    writeFileSync(
      plain,
      [
        `LB1,10.0.0.5 ${ed.type} ${ed.base64}`,
        `lb2 ${ed.type} ${ed.base64}`,
        `lb* ${other.type} ${other.base64}`,
        `*,!lb1 ${rsa.type} ${rsa.base64}`,
        `@revoked lb1 ${other.type} ${other.base64}`,
      ].join('\n'),
    );
    expect(lines(await knownHostsFor([plain, hashed], 'lb1'))).toEqual([
      `${plain}:1`,
      `${plain}:3`,
      `${plain}:5`,
      `${hashed}:1`,
    ]);
    expect(lines(await knownHostsFor([plain], 'lb2'))).toEqual([`${plain}:2`, `${plain}:3`, `${plain}:4`]);
    expect(await knownHostsFor([join(dir, 'missing')], 'lb1')).toEqual([]);
  });

  it('sees a key recorded after an earlier lookup, and a file created since', async () => {
    const file = join(dir, 'for-growing');
    expect(await knownHostsFor([file], 'lb7')).toEqual([]);
    await appendKnownHost(file, 'lb7', ed.blob);
    expect(lines(await knownHostsFor([file], 'lb7'))).toEqual([`${file}:1`]);
    await appendKnownHost(file, 'lb8', rsa.blob);
    expect(lines(await knownHostsFor([file], 'lb8'))).toEqual([`${file}:2`]);
    expect(lines(await knownHostsFor([file], 'lb7'))).toEqual([`${file}:1`]);
  });
});

describe('hostFieldMatches', () => {
  it('supports wildcards and negation like OpenSSH', () => {
    expect(hostFieldMatches('*.example.com,!bad.example.com', 'lb.example.com')).toBe(true);
    expect(hostFieldMatches('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(hostFieldMatches('lb?', 'lb1')).toBe(true);
    expect(hostFieldMatches('LB1', 'lb1')).toBe(true);
    expect(hostFieldMatches('lb1', '[lb1]:2222')).toBe(false);
    expect(hostFieldMatches('lb.example.com', 'lbxexample.com')).toBe(false);
  });
});

describe('checkHostKey', () => {
  const entries = parseKnownHosts(
    [
      `lb1 ${ed.type} ${ed.base64}`,
      `lb1 ${rsa.type} ${rsa.base64}`,
      `@revoked * ${other.type} ${other.base64}`,
    ].join('\n'),
    '/k',
  );

  it('knows a recorded key of any of several types', () => {
    expect(checkHostKey(entries, 'lb1', ed.blob)).toMatchObject({ kind: 'known', entry: { line: 1 } });
    expect(checkHostKey(entries, 'lb1', rsa.blob)).toMatchObject({ kind: 'known', entry: { line: 2 } });
  });

  it('refuses revoked keys before anything else', () => {
    const withOther = [...parseKnownHosts(`lb9 ${other.type} ${other.base64}`, '/k2'), ...entries];
    expect(checkHostKey(withOther, 'lb9', other.blob)).toMatchObject({ kind: 'revoked', entry: { line: 3 } });
  });

  it('reports a different key of a recorded type as changed', () => {
    const fresh = generateKey('ed25519', 'fresh');
    expect(checkHostKey(entries, 'lb1', fresh.blob)).toMatchObject({ kind: 'changed', entry: { line: 1 } });
  });

  it('reports a host with nothing recorded as unknown', () => {
    expect(checkHostKey(entries, 'lb2', ed.blob)).toEqual({ kind: 'unknown' });
  });

  it('reports a known host presenting only a key of an unrecorded type as changed', () => {
    const rsaOnly = parseKnownHosts(`lb1 ${rsa.type} ${rsa.base64}`, '/k');
    expect(checkHostKey(rsaOnly, 'lb1', ed.blob)).toMatchObject({
      kind: 'type-changed',
      entries: [{ line: 1, keyType: 'ssh-rsa' }],
    });
  });

  it('ignores @cert-authority lines', () => {
    const ca = parseKnownHosts(`@cert-authority lb1 ${ed.type} ${ed.base64}`, '/k');
    expect(checkHostKey(ca, 'lb1', ed.blob).kind).toBe('unknown');
  });
});

describe('preferredHostKeyAlgorithms', () => {
  it("keeps ssh2's order when nothing is known", () => {
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });

  it('puts the algorithms of known key types first', () => {
    expect(preferredHostKeyAlgorithms(['ssh-rsa']).slice(0, 4)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    expect(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp384', 'ssh-rsa']).slice(0, 2)).toEqual([
      'ecdsa-sha2-nistp384',
      'rsa-sha2-512',
    ]);
  });
});

describe('appendKnownHost', () => {
  it('creates the folder 0700 and file 0600, and writes lines ssh-keygen can find', async () => {
    const file = join(dir, 'new', 'sub', 'known_hosts');
    await appendKnownHost(file, '[127.0.0.1]:2222', ed.blob);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toBe(`[127.0.0.1]:2222 ${ed.type} ${ed.base64}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(ed.base64);
  });

  it('adds a missing final newline first and serialises concurrent appends', async () => {
    const file = join(dir, 'no_newline');
    writeFileSync(file, `lb1 ${ed.type} ${ed.base64}`);
    await Promise.all([appendKnownHost(file, 'lb2', rsa.blob), appendKnownHost(file, 'lb3', other.blob)]);
    expect(readFileSync(file, 'utf8')).toBe(
      `lb1 ${ed.type} ${ed.base64}\n` +
        formatKnownHostsLine('lb2', rsa.blob) +
        formatKnownHostsLine('lb3', other.blob),
    );
    expect(parseKnownHosts(readFileSync(file, 'utf8'), file)).toHaveLength(3);
  });
});
