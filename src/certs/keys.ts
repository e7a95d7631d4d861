import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { toPem } from '../domain/pem.js';
import { CertificateError } from './errors.js';

/** Which key to generate: RSA (2048 bits or more) or ECDSA on P-256. */
export type KeySpec = { keyType: 'rsa' | 'ecdsa'; rsaBits: number };

/**
 * ECDSA P-256 by default: Mozilla's intermediate TLS profile recommends it, every client of the
 * last decade accepts it, and generating one takes well under 1 ms of CPU where an RSA 2048 key
 * takes ~0.1-0.3 s (most of a first converge's controller CPU, bench/). RSA stays available.
 * `rsaBits` is the size used when RSA is asked for.
 */
export const DEFAULT_KEY_SPEC: KeySpec = { keyType: 'ecdsa', rsaBits: 2048 };

/** Below this, current OpenSSL refuses the key ("ee key too small") and so do browsers. */
export const MIN_RSA_BITS = 2048;

function assertAllowedSpec(spec: KeySpec): void {
  if (spec.keyType === 'ecdsa') return;
  if (!Number.isInteger(spec.rsaBits) || spec.rsaBits < MIN_RSA_BITS || spec.rsaBits > 16384) {
    throw new CertificateError(
      `RSA key size ${spec.rsaBits} is not allowed: use ${MIN_RSA_BITS} to 16384 bits (2048, 3072 or 4096)`,
    );
  }
}

/*
 * A P-256 key's PKCS#8 and SubjectPublicKeyInfo have one fixed DER shape around its 32-byte
 * scalar and point. OpenSSL 3 looks up an encoder for every export (~60 us for PKCS#8, ~100 us for
 * SPKI per key, against ~6 us for JWK): for the key of every host of a first converge (bench/scale),
 * the same bytes are assembled from the JWK form. Other keys go through OpenSSL's encoders.
 */
const P256_ALGORITHM = '301306072a8648ce3d020106082a8648ce3d030107';
const P256_PKCS8_HEAD = Buffer.from(`308187020100${P256_ALGORITHM}046d306b0201010420`, 'hex');
const P256_PKCS8_POINT = Buffer.from('a14403420004', 'hex');
const P256_SPKI_HEAD = Buffer.from(`3059${P256_ALGORITHM}03420004`, 'hex');

function p256Jwk(key: KeyObject): { d?: Buffer; x: Buffer; y: Buffer } | undefined {
  if (key.asymmetricKeyType !== 'ec') return undefined;
  // The curve from the JWK: asymmetricKeyDetails costs ~95 us per new key, more than the export.
  let jwk: JsonWebKey;
  try {
    jwk = key.export({ format: 'jwk' });
  } catch {
    // A curve JWK has no name for (brainpool): OpenSSL's encoder.
    return undefined;
  }
  if (jwk.crv !== 'P-256') return undefined;
  const part = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64url'));
  const [d, x, y] = [part(jwk.d), part(jwk.x), part(jwk.y)];
  // JWK pads every coordinate to the curve's size (RFC 7518 6.2.1.2); anything else: OpenSSL's encoder.
  if (!x || !y || x.length !== 32 || y.length !== 32 || (d && d.length !== 32)) return undefined;
  return { ...(d ? { d } : {}), x, y };
}

function pkcs8Pem(privateKey: KeyObject): string {
  const p = p256Jwk(privateKey);
  if (!p?.d) return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return toPem('PRIVATE KEY', Buffer.concat([P256_PKCS8_HEAD, p.d, P256_PKCS8_POINT, p.x, p.y]));
}

/** The key's SubjectPublicKeyInfo as DER, the bytes OpenSSL's `spki` export writes. */
export function spkiDer(key: KeyObject): Buffer {
  const p = p256Jwk(key);
  if (p) return Buffer.concat([P256_SPKI_HEAD, p.x, p.y]);
  return publicKeyOf(key).export({ type: 'spki', format: 'der' });
}

/** Generates a private key as unencrypted PKCS#8 PEM (Node's native generator: fast, unlike pure JS). */
export function generatePrivateKey(spec: KeySpec): string {
  assertAllowedSpec(spec);
  const { privateKey } =
    spec.keyType === 'ecdsa'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: spec.rsaBits, publicExponent: 0x10001 });
  return pkcs8Pem(privateKey);
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** A key just made: its PKCS#8 PEM, and the KeyObject (decoding the PEM again costs ~1 ms). */
export interface GeneratedKey {
  pem: string;
  object: KeyObject;
}

/**
 * The same key as generatePrivateKey; an RSA key is made on libuv's thread pool. An RSA key takes
 * ~0.1 s of CPU; made synchronously for every host of a run, the keys were a serial segment that
 * stalled every SSH session on the event loop (the largest controller cost of a first converge,
 * bench/). A P-256 key is made at once: ~60 us of CPU, where the thread pool's job set-up and
 * hand-off made it ~100 us (process CPU per key, 5 interleaved rounds on the bench machine).
 */
export async function generatePrivateKeyAsync(spec: KeySpec): Promise<GeneratedKey> {
  assertAllowedSpec(spec);
  const { privateKey } =
    spec.keyType === 'ecdsa'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : await generateKeyPairAsync('rsa', { modulusLength: spec.rsaBits, publicExponent: 0x10001 });
  return { pem: pkcs8Pem(privateKey), object: privateKey };
}

/** Reads an unencrypted private key PEM (PKCS#8, PKCS#1 or SEC1). */
export function loadPrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new CertificateError(`cannot read the private key: ${(err as Error).message}`, { cause: err });
  }
}

export function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === 'public' ? key : createPublicKey(key);
}

/** Human description such as `RSA 2048` or `EC prime256v1`. */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `EC ${details.namedCurve ?? '?'}`;
  return String(key.asymmetricKeyType);
}

/** Why the key is too weak for a TLS server today, or undefined when it is fine. */
export function keyStrengthProblem(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      return `the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required (OpenSSL rejects it: "ee key too small")`;
    }
    return undefined;
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1' && curve !== 'secp384r1' && curve !== 'secp521r1') {
      return `the EC key uses curve ${curve ?? 'unknown'}; use P-256, P-384 or P-521`;
    }
    return undefined;
  }
  return `key type ${String(type)} is not supported for the load balancer certificate; use RSA or ECDSA`;
}
