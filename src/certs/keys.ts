import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
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

const pkcs8Pem = (privateKey: KeyObject) => privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

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
 * The same key as generatePrivateKey, made on libuv's thread pool. An RSA key takes ~0.1 s of CPU;
 * made synchronously for every host of a run, the keys were a serial segment that stalled every
 * SSH session on the event loop (the largest controller cost of a first converge, bench/).
 */
export async function generatePrivateKeyAsync(spec: KeySpec): Promise<GeneratedKey> {
  assertAllowedSpec(spec);
  const { privateKey } =
    spec.keyType === 'ecdsa'
      ? await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' })
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
