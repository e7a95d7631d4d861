import { certificateSha256 } from '../domain/pem.js';
import type * as Jks from 'jks-js';
import forge from 'node-forge';
import { lazyRequire } from '../domain/lazy-require.js';

// jks-js (with node-rsa) reads only the nodes' JKS truststores.
const jks = lazyRequire<typeof Jks>('jks-js');

/** The trusted certificates of a Java truststore, by alias (lower case, as keytool keeps them). */
export type TruststoreEntries = Map<string, { sha256: string }>;

/**
 * Reads a JKS (jks-js) or PKCS12 (node-forge) truststore with its password; both check the store's
 * integrity with it, so a wrong password is found before anything is changed. Returns the reason
 * when it cannot.
 */
export function readTruststore(
  bytes: Buffer,
  type: 'JKS' | 'PKCS12',
  password: string,
): TruststoreEntries | { error: string } {
  const out: TruststoreEntries = new Map();
  try {
    if (type === 'PKCS12') {
      // node-forge verifies the MAC with the password (jks-js reads JKS only reliably).
      const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString('binary')), false, password);
      const certBag = forge.pki.oids.certBag ?? '1.2.840.113549.1.12.10.1.3';
      for (const bag of p12.getBags({ bagType: certBag })[certBag] ?? []) {
        const names = (bag.attributes as { friendlyName?: string[] }).friendlyName;
        const alias = names?.[0];
        if (!alias || !bag.cert) continue;
        const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes(), 'binary');
        out.set(alias.toLowerCase(), { sha256: certificateSha256(der) });
      }
      return out;
    }
    for (const entry of jks().parseJks(bytes, password)) {
      const der = 'cert' in entry ? entry.cert.value : entry.chain[0]?.value;
      if (der) out.set(entry.alias.toLowerCase(), { sha256: certificateSha256(der) });
    }
    return out;
  } catch (e) {
    const message = (e as Error).message;
    return {
      error: /password|checksum|integrity|mac/i.test(message)
        ? 'the password does not open it (keystore integrity check failed)'
        : `it is not a readable ${type} keystore (${message})`,
    };
  }
}
