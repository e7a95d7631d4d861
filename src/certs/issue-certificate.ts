import type { KeyObject } from 'node:crypto';
import { toPem } from '../domain/pem.js';
import forge from 'node-forge';
import {
  randomSerialHex,
  seq,
  signatureAlgorithm,
  signStructure,
  subjectPublicKeyInfo,
  timeAsn1,
  keyIdentifierOfSpki,
} from './der-signing.js';
import {
  authorityKeyIdentifierExtension,
  extensionsAsn1,
  subjectKeyIdentifierExtension,
  type ExtensionSpec,
} from './extensions.js';

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;

/** Who signs: the issuer's subject name (exact DER), its private key and its key identifier. */
export interface Signer {
  name: Asn1;
  privateKey: KeyObject;
  keyId: Buffer;
}

export interface IssueRequest {
  subjectName: Asn1;
  subjectKey: KeyObject;
  extensions: ExtensionSpec[];
  signer: Signer;
  notBefore: Date;
  notAfter: Date;
}

/** Builds and signs an X.509 v3 certificate; subject and authority key identifiers are always set. */
export function issueCertificate(req: IssueRequest): string {
  const spki = subjectPublicKeyInfo(req.subjectKey);
  const extensions: ExtensionSpec[] = [
    ...req.extensions,
    subjectKeyIdentifierExtension(keyIdentifierOfSpki(spki)),
    authorityKeyIdentifierExtension(req.signer.keyId),
  ];
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(randomSerialHex())),
    signatureAlgorithm(req.signer.privateKey),
    req.signer.name,
    seq([timeAsn1(req.notBefore), timeAsn1(req.notAfter)]),
    req.subjectName,
    spki,
    extensionsAsn1(extensions),
  ]);
  return toPem('CERTIFICATE', signStructure(tbs, req.signer.privateKey));
}
