import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CertificateError } from './errors.js';
import { spkiDer } from './keys.js';

/*
 * node-forge encodes names and extensions but signs with RSA only, so certificates and CSRs are
 * assembled here from forge ASN.1 and signed with Node's crypto: one path for RSA and ECDSA keys.
 */

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

export function seq(values: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, values);
}

export function oid(id: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
}

export function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/** Parses DER; BIT STRING contents stay opaque so keys and signatures re-encode byte for byte. */
export function fromDer(der: Buffer): Asn1 {
  // The options object is supported by forge but missing from its type definitions.
  const parse = asn1.fromDer as unknown as (bytes: string, options: { decodeBitStrings: boolean }) => Asn1;
  return parse(der.toString('binary'), { decodeBitStrings: false });
}

/** AlgorithmIdentifier for SHA-256 with the key's algorithm (RSA needs NULL parameters, ECDSA none). */
export function signatureAlgorithm(key: KeyObject): Asn1 {
  if (key.asymmetricKeyType === 'rsa') {
    return seq([oid(SHA256_WITH_RSA), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
  }
  if (key.asymmetricKeyType === 'ec') return seq([oid(ECDSA_WITH_SHA256)]);
  throw new CertificateError(`cannot sign with a ${String(key.asymmetricKeyType)} key; use RSA or ECDSA`);
}

/** `SEQUENCE { body, algorithm, BIT STRING signature }`: the outer shape of certificates and CSRs. */
export function signStructure(body: Asn1, signingKey: KeyObject): Buffer {
  const algorithm = signatureAlgorithm(signingKey);
  // Node signs RSA with PKCS#1 v1.5 and ECDSA as DER (r, s): the encodings X.509 expects.
  const signature = sign('sha256', toDer(body), signingKey);
  const bitString = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.BITSTRING,
    false,
    '\x00' + signature.toString('binary'),
  );
  return toDer(seq([body, algorithm, bitString]));
}

/** SubjectPublicKeyInfo of a key, as DER from Node (works for every key type). */
export function subjectPublicKeyInfo(key: KeyObject): Asn1 {
  return fromDer(spkiDer(key));
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdentifier(key: KeyObject): Buffer {
  return keyIdentifierOfSpki(subjectPublicKeyInfo(key));
}

/** The same, from a SubjectPublicKeyInfo already at hand. */
export function keyIdentifierOfSpki(spki: Asn1): Buffer {
  const bitString = (spki.value as Asn1[])[1];
  if (!bitString || typeof bitString.value !== 'string') throw new CertificateError('malformed public key');
  // The first content byte is the count of unused bits (always 0 for keys).
  return createHash('sha1')
    .update(Buffer.from(bitString.value.slice(1), 'binary'))
    .digest();
}

/** Random positive 16-byte serial (CA/B Forum asks for at least 64 bits of randomness). */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  // Clear the sign bit, and keep the first byte non-zero so the DER INTEGER stays 16 bytes and minimal.
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex');
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function timeAsn1(date: Date): Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}
