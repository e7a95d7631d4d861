export { CertificateError } from './errors.js';
export {
  type GeneratedKey,
  type KeySpec,
  DEFAULT_KEY_SPEC,
  MIN_RSA_BITS,
  generatePrivateKey,
  generatePrivateKeyAsync,
} from './keys.js';
export { decryptPrivateKey, isEncryptedPrivateKey } from './decrypt-key.js';
export { createCsr } from './csr.js';
export {
  type CreateCertificateOptions,
  type GeneratedCertificate,
  createCertificate,
} from './create-certificate.js';
export {
  type CaOptions,
  type LocalCaOptions,
  LOCAL_CA_COMMON_NAME,
  LOCAL_CA_DAYS,
  createCa,
  defaultPkiDir,
  ensureLocalCa,
  loadLocalCa,
  newLocalCa,
  writeLocalCa,
} from './local-ca.js';
export { inspectCertificate, noteMetadata, recordedMetadataOf, type CertificateMetadata } from './inspect.js';
export { hostnameCovered, normalizeHostnames } from './san.js';
export {
  type CertificateFilesCheck,
  type CertificateFilesInput,
  EXPIRY_WARNING_DAYS,
  checkCertificateFiles,
} from './check-existing.js';
export { deployedCertificateVerdict, recordedCertificateVerdict } from './renewal.js';
export {
  type WrittenCertificateFiles,
  certificateFilePaths,
  existingCertificateFiles,
  FileExistsError,
  writeCertificateFiles,
} from './write-files.js';
export { DEFAULT_CERTIFICATE_DAYS, MAX_ADVISED_DAYS, validityDaysWarning } from './validity.js';
