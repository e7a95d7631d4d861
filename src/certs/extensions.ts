import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { altNamesFor } from './san.js';

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;

/** forge has these encoders but its type definitions omit them. */
const forgePki = forge.pki as unknown as {
  certificateExtensionsToAsn1(exts: unknown[]): Asn1;
  certificateExtensionToAsn1(ext: unknown): Asn1;
};

/** An extension in forge's descriptive form (`{ name: 'keyUsage', digitalSignature: true, ... }`). */
export type ExtensionSpec = { name: string; critical?: boolean; [field: string]: unknown };

/** Lets forge fill in OIDs and encoded values; a scratch certificate is the only public entry point. */
function completed(extensions: ExtensionSpec[]): unknown[] {
  const scratch = forge.pki.createCertificate();
  scratch.setExtensions(extensions.map((e) => ({ ...e })));
  return scratch.extensions;
}

/** The `[3] Extensions` element of a TBSCertificate. */
export function extensionsAsn1(extensions: ExtensionSpec[]): Asn1 {
  return forgePki.certificateExtensionsToAsn1(completed(extensions));
}

/** The `Extensions` SEQUENCE carried in a CSR's extensionRequest attribute. */
export function extensionSequenceAsn1(extensions: ExtensionSpec[]): Asn1 {
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    completed(extensions).map((e) => forgePki.certificateExtensionToAsn1(e)),
  );
}

/** RFC 5280 4.2.1.6: when the subject is empty the SAN extension must be critical. */
export function subjectAltNameExtension(hostnames: readonly string[], subjectEmpty: boolean): ExtensionSpec {
  return { name: 'subjectAltName', critical: subjectEmpty, altNames: altNamesFor(hostnames) };
}

/** TLS server leaf: digitalSignature, plus keyEncipherment for RSA key transport; serverAuth only. */
export function serverLeafExtensions(key: KeyObject): ExtensionSpec[] {
  return [
    { name: 'basicConstraints', critical: true, cA: false },
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: true,
      keyEncipherment: key.asymmetricKeyType === 'rsa',
    },
    { name: 'extKeyUsage', serverAuth: true },
  ];
}

export function caExtensions(): ExtensionSpec[] {
  return [
    { name: 'basicConstraints', critical: true, cA: true },
    { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
  ];
}

export function subjectKeyIdentifierExtension(keyId: Buffer): ExtensionSpec {
  return {
    name: 'subjectKeyIdentifier',
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, keyId.toString('binary')),
  };
}

export function authorityKeyIdentifierExtension(issuerKeyId: Buffer): ExtensionSpec {
  return {
    name: 'authorityKeyIdentifier',
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, issuerKeyId.toString('binary')),
    ]),
  };
}
