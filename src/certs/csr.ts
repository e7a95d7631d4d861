import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { toPem } from '../domain/pem.js';
import { oid, seq, signStructure, subjectPublicKeyInfo } from './der-signing.js';
import { extensionSequenceAsn1, subjectAltNameExtension } from './extensions.js';
import { loadPrivateKey } from './keys.js';
import { commonNameAsn1, isEmptyName } from './names.js';
import { normalizeHostnames } from './san.js';

const { asn1 } = forge;
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/** PKCS#10 request for `hostnames` (CN = first, SANs = all), signed with the key. */
export function buildCsr(key: KeyObject, hostnames: readonly string[]): string {
  const names = normalizeHostnames(hostnames);
  const subject = commonNameAsn1(names[0]);
  const extensionRequest = seq([
    oid(EXTENSION_REQUEST),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
      extensionSequenceAsn1([subjectAltNameExtension(names, isEmptyName(subject))]),
    ]),
  ]);
  const info = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(0).getBytes()),
    subject,
    subjectPublicKeyInfo(key),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [extensionRequest]),
  ]);
  return toPem('CERTIFICATE REQUEST', signStructure(info, key));
}

/** Creates a CSR from an unencrypted private key PEM (what a public CA asks for). */
export function createCsr(keyPem: string, hostnames: string[]): string {
  return buildCsr(loadPrivateKey(keyPem), hostnames);
}
