import type { OsFacts } from './facts.js';

/** What the nginx install script is asked to do on one host. */
export interface InstallSpec {
  edition: 'oss' | 'plus';
  packageManager: 'apt' | 'dnf' | 'yum';
  os: OsFacts;
  /** Community edition source; ignored for Plus. */
  ossSource: 'distro' | 'nginx.org';
  /** Repository base, e.g. https://nginx.org/packages/debian or a mirror / lab stand-in. */
  repoUrl?: string;
  /** Armored signing key; fetched from signingKeyUrl (default: the vendor's) when absent. */
  signingKeyArmored?: string;
  signingKeyUrl?: string;
  /** Pinned primary-key fingerprint(s), space- or comma-separated; the key is refused otherwise. */
  signingKeyFingerprint: string;
  /** CA certificate for an HTTPS mirror or stand-in. */
  repoCaPem?: string;
  plus?: { repoCertPem: string; repoKeyPem: string; jwt?: string; keepRepoCredentials: boolean };
  /** `nginx` or `nginx-plus` (default by edition). */
  packageName?: string;
  startAfterInstall: boolean;
}
