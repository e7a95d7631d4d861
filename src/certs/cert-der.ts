import forge from 'node-forge';
import { fromDer } from './der-signing.js';

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/** The TBSCertificate fields of a DER certificate. */
function tbsFields(certDer: Buffer): Asn1[] {
  const cert = fromDer(certDer).value as Asn1[];
  return (cert[0]?.value ?? []) as Asn1[];
}

/** The subject Name, byte for byte: an issued certificate's issuer must equal it exactly. */
export function subjectNameOf(certDer: Buffer): Asn1 {
  const fields = tbsFields(certDer);
  // version is an optional explicit [0] tag before serialNumber.
  const hasVersion = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC;
  const subject = fields[hasVersion ? 5 : 4];
  if (!subject) throw new Error('certificate has no subject');
  return subject;
}

/** The subjectKeyIdentifier extension value, when the certificate has one. */
export function subjectKeyIdentifierOf(certDer: Buffer): Buffer | undefined {
  const container = tbsFields(certDer).find(
    (f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && (f.type as number) === 3,
  );
  const extensions = ((container?.value as Asn1[] | undefined)?.[0]?.value ?? []) as Asn1[];
  for (const ext of extensions) {
    const parts = ext.value as Asn1[];
    const id = parts[0];
    if (!id || asn1.derToOid(id.value as string) !== SUBJECT_KEY_IDENTIFIER) continue;
    const octets = parts[parts.length - 1]?.value;
    if (typeof octets !== 'string') return undefined;
    const inner = asn1.fromDer(octets);
    return typeof inner.value === 'string' ? Buffer.from(inner.value, 'binary') : undefined;
  }
  return undefined;
}
