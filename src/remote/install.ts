import { Records } from './output-protocol.js';
import {
  APT_AUTH_CONF_PATH,
  KEYRING_PATH,
  LICENSE_JWT_PATH,
  REPO_CA_PATH,
  REPO_CERT_PATH,
  REPO_KEY_PATH,
  RPM_KEY_PATH,
  aptListPath,
  pinnedFingerprints,
  repositoryFiles,
  yumRepoPath,
} from './install-files.js';
import { assertStrictUrl } from '../domain/url.js';
import type { InstallSpec } from './install-spec.js';
import { ScriptInput, b64, text, token } from './script-input.js';
import { program } from './scripts.js';
import { FILE_MODE, PACKAGE_NAME, assertValue } from './values.js';

export type { InstallSpec };

export type InstallFailure =
  'prerequisites' | 'signing_key' | 'fingerprint' | 'repository' | 'package' | 'start';

export interface InstallResult {
  ok: boolean;
  status: 'installed' | 'unchanged' | 'failed';
  /** nginx version now installed. */
  version?: string;
  plus: boolean;
  started: boolean;
  credentialsRemoved: boolean;
  failure?: InstallFailure;
  /** Package manager output (tail) when it failed. */
  output?: string;
  messages: string[];
  /** One text for the task result: what happened, or why it failed. */
  message: string;
}

const DEFAULT_KEY_URL = 'https://nginx.org/keys/nginx_signing.key';
const PLUS_KEY_URL = 'https://cs.nginx.com/static/keys/nginx_signing.key';

/**
 * The install program (src/remote/sh/install.sh) for this spec. The Plus repository credentials
 * travel in its input, on stdin with the program, never in a file or on a command line.
 */
export function installScript(spec: InstallSpec): string {
  const pkg = assertValue(
    spec.packageName ?? (spec.edition === 'plus' ? 'nginx-plus' : 'nginx'),
    PACKAGE_NAME,
    'package name',
  );
  const signed = spec.edition === 'plus' || spec.ossSource === 'nginx.org';
  if (spec.edition === 'plus' && !spec.plus)
    throw new Error('NGINX Plus needs the repository certificate and key');
  const plus = spec.edition === 'plus' ? spec.plus : undefined;
  const keyUrl = spec.signingKeyUrl ?? (spec.edition === 'plus' ? PLUS_KEY_URL : DEFAULT_KEY_URL);
  assertStrictUrl(keyUrl, 'signing key URL');
  const listFile = spec.packageManager === 'apt' ? aptListPath(spec) : yumRepoPath(spec);
  const input = new ScriptInput()
    .set('PM', spec.packageManager)
    .set('PKG', pkg)
    .set('SIGNED', signed)
    .set('START', spec.startAfterInstall)
    .set('FPRS', signed ? pinnedFingerprints(spec).join(' ') : '')
    .set('KEY_URL', keyUrl)
    .set('LIST_FILE', listFile)
    .set('KEEP_CREDS', plus?.keepRepoCredentials ?? false)
    .set('KEYRING_PATH', KEYRING_PATH)
    .set('RPM_KEY_PATH', RPM_KEY_PATH)
    .set('REPO_CA_PATH', REPO_CA_PATH)
    .set('REPO_CERT_PATH', REPO_CERT_PATH)
    .set('REPO_KEY_PATH', REPO_KEY_PATH)
    .set('LICENSE_JWT_PATH', LICENSE_JWT_PATH)
    .set('APIM_SIGNING_KEY', signed && spec.signingKeyArmored ? b64(spec.signingKeyArmored) : '')
    .set('APIM_REPO_CA', signed && spec.repoCaPem ? b64(spec.repoCaPem) : '')
    .set('APIM_PLUS_CERT', plus ? b64(plus.repoCertPem) : '')
    .set('APIM_PLUS_KEY', plus ? b64(plus.repoKeyPem) : '')
    .set('APIM_PLUS_JWT', plus?.jwt ? b64(`${plus.jwt.trim()}\n`) : '')
    .rows(
      'APIM_REPO_FILES',
      (signed ? repositoryFiles(spec) : []).map((f) => [
        text(f.path),
        token(assertValue(f.mode, FILE_MODE, `mode of ${f.path}`)),
        text(f.content),
      ]),
    )
    .rows(
      'APIM_CREDENTIAL_FILES',
      (plus
        ? [
            REPO_CERT_PATH,
            REPO_KEY_PATH,
            ...(spec.packageManager === 'apt' ? [APT_AUTH_CONF_PATH] : []),
            listFile,
          ]
        : []
      ).map((p) => [text(p)]),
    );
  return program('install', 'nginx install: may contain repository credentials; keep private', input);
}

export function parseInstallResult(stdout: string, stderr: string): InstallResult {
  const r = Records.parse(stdout);
  const reported = r.get('status');
  const status = reported === 'installed' || reported === 'unchanged' ? reported : 'failed';
  const messages = r.messages();
  if (reported === undefined) messages.push('the install script ended without reporting a status');
  if (status === 'failed' && stderr.trim()) messages.push(stderr.trim().split('\n').slice(-20).join('\n'));
  const failure = r.get('failure') as InstallFailure | undefined;
  const output = r.text('output');
  const version = r.get('installed');
  const ok = status !== 'failed';
  const message = ok
    ? status === 'installed'
      ? `installed nginx ${version ?? ''}`.trim()
      : `nginx ${version ?? ''} already installed`.trim()
    : [...messages, output ?? ''].join('\n').trim();
  return {
    ok,
    status,
    ...(version ? { version } : {}),
    plus: r.flag('plus'),
    started: r.flag('started'),
    credentialsRemoved: r.flag('credentials_removed'),
    ...(failure ? { failure } : {}),
    ...(output ? { output } : {}),
    messages,
    message,
  };
}
