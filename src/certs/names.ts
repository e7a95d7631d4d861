import forge from 'node-forge';

type Asn1 = forge.asn1.Asn1;

/** X.520 upper bound for a commonName. */
const MAX_CN_LENGTH = 64;

/**
 * Distinguished name `CN=<commonName>` as UTF8String (PrintableString cannot hold `*`). Names longer
 * than a CN allows give an empty subject; the SANs then carry the identity.
 */
export function commonNameAsn1(commonName: string | undefined): Asn1 {
  const scratch = forge.pki.createCertificate();
  const attributes =
    commonName !== undefined && commonName.length <= MAX_CN_LENGTH
      ? [
          {
            name: 'commonName',
            value: commonName,
            valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
          },
        ]
      : [];
  // setSubject fills the OIDs forge's encoder needs.
  scratch.setSubject(attributes);
  return forge.pki.distinguishedNameToAsn1(scratch.subject);
}

export function isEmptyName(name: Asn1): boolean {
  return Array.isArray(name.value) && name.value.length === 0;
}
