/**
 * `certs create` in-process: it never replaces a key without --force, and --ca signs with the
 * one local CA of the inventory, the folder and code apply use.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultPkiDir, ensureLocalCa } from '../../../src/certs/index.js';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { tempDir } from './openssl.js';

let output = { out: '', err: '' };
beforeEach(() => {
  output = { out: '', err: '' };
  for (const [stream, key] of [
    [process.stdout, 'out'],
    [process.stderr, 'err'],
  ] as const) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output[key] += String(chunk);
      return true;
    });
  }
});
afterEach(() => vi.restoreAllMocks());

const tmp = tempDir('apim-certs-cli-');
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => join(tmp.dir, `case-${++n}`);

const create = (...args: string[]) => main(['certs', 'create', '--key-type', 'ecdsa', ...args]);

describe('certs create: an existing key is never replaced by accident', () => {
  it('refuses when the key, certificate or CSR exists, names them, and writes nothing', async () => {
    const out = fresh();
    expect(await create('--hostname', 'api.example.test', '--out', out, '--name', 'lb')).toBe(EXIT.OK);
    const before = ['key', 'crt', 'csr'].map((ext) => readFileSync(join(out, `lb.${ext}`), 'utf8'));

    expect(await create('--hostname', 'other.example.test', '--out', out, '--name', 'lb')).toBe(EXIT.USAGE);
    expect(output.err).toContain(
      `${join(out, 'lb.key')}, ${join(out, 'lb.crt')}, ${join(out, 'lb.csr')} exist`,
    );
    expect(output.err).toContain('--force');
    expect(['key', 'crt', 'csr'].map((ext) => readFileSync(join(out, `lb.${ext}`), 'utf8'))).toEqual(before);
  });

  it('refuses when only the key is there', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'apim.key'), 'KEEP');
    expect(await create('--hostname', 'a.example.test', '--out', dir)).toBe(EXIT.USAGE);
    expect(output.err).toContain(`${join(dir, 'apim.key')} exists: not replaced`);
    expect(readFileSync(join(dir, 'apim.key'), 'utf8')).toBe('KEEP');
    expect(existsSync(join(dir, 'apim.crt'))).toBe(false);
  });

  it('replaces them with --force', async () => {
    const out = fresh();
    expect(await create('--hostname', 'api.example.test', '--out', out)).toBe(EXIT.OK);
    const oldKey = readFileSync(join(out, 'apim.key'), 'utf8');
    expect(await create('--hostname', 'api.example.test', '--out', out, '--force')).toBe(EXIT.OK);
    expect(readFileSync(join(out, 'apim.key'), 'utf8')).not.toBe(oldKey);
  });
});

function inventory(): { file: string; dir: string } {
  const dir = fresh();
  mkdirSync(dir);
  const file = join(dir, 'inventory.yml');
  writeFileSync(
    file,
    [
      'all:',
      '  vars: { apim_version: "4.x", apim_pattern: single-node }',
      '  children:',
      '    loadbalancers:',
      '      hosts: { lb1: { ansible_host: 192.0.2.20 } }',
      '    apim_all_in_one:',
      '      hosts: { apim1: { ansible_host: 192.0.2.10 } }',
      '',
    ].join('\n'),
  );
  return { file, dir };
}

function issuedBy(certFile: string, caFile: string): boolean {
  const cert = new X509Certificate(readFileSync(certFile));
  const ca = new X509Certificate(readFileSync(caFile));
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

describe('certs create --ca: one local CA per inventory, the one apply uses', () => {
  it('signs with the CA in <inventory dir>/.apim-provision/pki, creating it there once', async () => {
    const inv = inventory();
    const pki = defaultPkiDir(inv.dir);
    expect(pki).toBe(join(inv.dir, '.apim-provision', 'pki'));
    const out = fresh();
    expect(await create('--inventory', inv.file, '--ca', '--out', out)).toBe(EXIT.OK);
    expect(output.out).toContain(`signed by:   the local CA in ${pki} (created now)`);
    expect(issuedBy(join(out, 'apim.crt'), join(pki, 'ca.crt'))).toBe(true);
    expect(existsSync(join(out, 'ca'))).toBe(false);

    // apply's certificate task calls ensureLocalCa(pkiDir) with this same folder: the same CA.
    const caCert = readFileSync(join(pki, 'ca.crt'), 'utf8');
    expect(ensureLocalCa(pki)).toMatchObject({ certPem: caCert, created: false });
    const again = fresh();
    expect(await create('--inventory', inv.file, '--ca', '--out', again)).toBe(EXIT.OK);
    expect(output.out).toContain(`signed by:   the local CA in ${pki} (existing)`);
    expect(issuedBy(join(again, 'apim.crt'), join(pki, 'ca.crt'))).toBe(true);
  });

  it('signs with a CA apply already made for the inventory', async () => {
    const inv = inventory();
    const made = ensureLocalCa(defaultPkiDir(inv.dir), { key: { keyType: 'ecdsa', rsaBits: 2048 } });
    const out = fresh();
    expect(await create('--inventory', inv.file, '--ca', '--out', out)).toBe(EXIT.OK);
    const ca = new X509Certificate(made.certPem);
    expect(new X509Certificate(readFileSync(join(out, 'apim.crt'))).checkIssued(ca)).toBe(true);
  });

  it('wants to know which CA without an inventory, and takes --pki-dir', async () => {
    expect(await create('--hostname', 'x.example.test', '--ca', '--out', fresh())).toBe(EXIT.USAGE);
    expect(output.err).toContain('--ca signs with the local CA apply uses for an inventory');
    const pki = fresh();
    const out = fresh();
    expect(await create('--hostname', 'x.example.test', '--ca', '--pki-dir', pki, '--out', out)).toBe(
      EXIT.OK,
    );
    expect(issuedBy(join(out, 'apim.crt'), join(pki, 'ca.crt'))).toBe(true);
  });

  it('refuses to overwrite before it creates a CA', async () => {
    const inv = inventory();
    const out = fresh();
    expect(await create('--hostname', 'x.example.test', '--out', out)).toBe(EXIT.OK);
    expect(await create('--inventory', inv.file, '--ca', '--out', out)).toBe(EXIT.USAGE);
    expect(existsSync(defaultPkiDir(inv.dir))).toBe(false);
  });
});
