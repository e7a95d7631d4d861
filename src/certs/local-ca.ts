import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertValidDays } from './create-certificate.js';
import { caExtensions } from './extensions.js';
import { CertificateError } from './errors.js';
import { issueCertificate } from './issue-certificate.js';
import { DEFAULT_KEY_SPEC, generatePrivateKey, loadPrivateKey, type KeySpec } from './keys.js';
import { commonNameAsn1 } from './names.js';
import { selfSigner } from './signers.js';
import { validityWindow } from './validity.js';
import { PRIVATE_KEY_MODE, PUBLIC_FILE_MODE, writeFileWithMode } from './write-files.js';

export const LOCAL_CA_COMMON_NAME = 'apim-provision local CA';

/**
 * Where the local CA of an inventory lives: `<inventory folder>/.apim-provision/pki` (ca.crt and
 * ca.key). `apply` signs the load balancers' certificates with it and `certs create --ca`
 * signs with the same one, so every certificate of an inventory has one trust anchor.
 */
export function defaultPkiDir(inventoryDir: string): string {
  return join(inventoryDir, '.apim-provision', 'pki');
}
/** A CA outlives many yearly server certificates; users import it once into their trust store. */
export const LOCAL_CA_DAYS = 3650;

export interface CaOptions {
  commonName: string;
  key: KeySpec;
  days: number;
  now?: Date;
}

/** A self-signed CA certificate (basicConstraints CA:true critical, keyCertSign + cRLSign). */
export function createCa(opts: CaOptions): { certPem: string; keyPem: string } {
  assertValidDays(opts.days);
  const keyPem = generatePrivateKey(opts.key);
  const key = loadPrivateKey(keyPem);
  const subjectName = commonNameAsn1(opts.commonName);
  const certPem = issueCertificate({
    subjectName,
    subjectKey: key,
    extensions: caExtensions(),
    signer: selfSigner(key, subjectName),
    ...validityWindow(opts.now ?? new Date(), opts.days),
  });
  return { certPem, keyPem };
}

export interface LocalCaOptions {
  commonName?: string;
  key?: KeySpec;
  days?: number;
  now?: Date;
}

/**
 * The local CA kept at `<dir>/ca.crt` and `<dir>/ca.key`, when there is one: re-used so that
 * certificates issued in different runs share one trust anchor. A damaged or half-present CA is
 * reported, never silently replaced (certificates already deployed depend on it). Reads only.
 */
export function loadLocalCa(
  dir: string,
  opts: Pick<LocalCaOptions, 'now'> = {},
): { certPem: string; keyPem: string } | undefined {
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'ca.key');
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  if (haveCert && haveKey) {
    const existing = { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
    checkUsableCa(existing, certFile, opts.now ?? new Date());
    return existing;
  }
  if (haveCert || haveKey) {
    throw new CertificateError(
      `incomplete local CA in ${dir}: ${haveCert ? keyFile : certFile} is missing; restore it, or remove ` +
        `${haveCert ? certFile : keyFile} to create a new CA (certificates it issued will then need replacing)`,
    );
  }
  return undefined;
}

/** A new local CA, in memory (written by writeLocalCa). */
export function newLocalCa(opts: LocalCaOptions = {}): { certPem: string; keyPem: string } {
  return createCa({
    commonName: opts.commonName ?? LOCAL_CA_COMMON_NAME,
    key: opts.key ?? DEFAULT_KEY_SPEC,
    days: opts.days ?? LOCAL_CA_DAYS,
    now: opts.now,
  });
}

/** Writes a local CA into `dir`, a folder of its own made 0700 (key 0600, certificate 0644). */
export function writeLocalCa(dir: string, ca: { certPem: string; keyPem: string }): void {
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileWithMode(join(dir, 'ca.key'), ca.keyPem, PRIVATE_KEY_MODE);
  writeFileWithMode(join(dir, 'ca.crt'), ca.certPem, PUBLIC_FILE_MODE);
}

/** The local CA of `dir`, created (and written) on first use. */
export function ensureLocalCa(
  dir: string,
  opts: LocalCaOptions = {},
): { certPem: string; keyPem: string; created: boolean } {
  const existing = loadLocalCa(dir, opts);
  if (existing) return { ...existing, created: false };
  const ca = newLocalCa(opts);
  writeLocalCa(dir, ca);
  return { ...ca, created: true };
}

function checkUsableCa(ca: { certPem: string; keyPem: string }, certFile: string, now: Date): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(ca.certPem);
  } catch (err) {
    throw new CertificateError(`cannot read the local CA certificate ${certFile}: ${(err as Error).message}`);
  }
  if (!cert.ca) throw new CertificateError(`${certFile} is not a CA certificate`);
  if (!cert.checkPrivateKey(loadPrivateKey(ca.keyPem))) {
    throw new CertificateError(`the local CA key does not match ${certFile}`);
  }
  if (new Date(cert.validTo).getTime() <= now.getTime()) {
    throw new CertificateError(`the local CA ${certFile} expired on ${new Date(cert.validTo).toISOString()}`);
  }
}
