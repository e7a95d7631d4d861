import { checkCertificateFiles } from '../certs/index.js';
import type { LoadBalancer, TlsSource } from '../domain/types.js';
import { renderConfig } from '../patterns/index.js';
import { readText } from './local-file.js';
import type { VarReader } from './var-reader.js';

const GENERATE_ONLY = ['tls_key_type', 'tls_rsa_bits', 'tls_days', 'tls_use_ca'];
const FILES_ONLY = ['tls_certificate_file', 'tls_key_file', 'tls_chain_file', 'tls_key_passphrase'];

/** The load balancer's TLS material: generated here, or existing files (their content is checked by certs/). */
export function tlsSource(r: VarReader): TlsSource {
  const mode = r.oneOf('tls_mode', ['generate', 'files'] as const, 'generate');
  const unused = (mode === 'generate' ? FILES_ONLY : GENERATE_ONLY).filter((n) => r.has(n));
  for (const name of unused) {
    r.report(
      name,
      `${name} has no effect with tls_mode: ${mode}`,
      mode === 'generate' ? `set tls_mode: files to use existing files, or remove ${name}` : `remove ${name}`,
      'warning',
    );
  }
  if (mode === 'generate') {
    const keyType = r.oneOf('tls_key_type', ['rsa', 'ecdsa'] as const, 'rsa');
    const rsaBits = r.int(
      'tls_rsa_bits',
      2048,
      2048,
      16384,
      'current OpenSSL refuses smaller RSA keys ("ee key too small"); use 2048, 3072 or 4096, or tls_key_type: ecdsa',
    );
    const days = r.int('tls_days', 365, 1, 100000);
    if (days > 366) {
      r.report(
        'tls_days',
        `tls_days ${days} is longer than a year: browsers reject certificates valid for more than 398 days`,
        'use at most 366 days and renew yearly (renewal is one command)',
        'warning',
      );
    }
    return { mode, keyType, rsaBits, days, useCa: r.bool('tls_use_ca', true) };
  }
  const required = ['tls_certificate_file', 'tls_key_file'].filter((n) => !r.has(n));
  for (const name of required) {
    r.report(
      'tls_mode',
      `tls_mode: files needs ${name}, which is not set for ${r.ctx.hostName}`,
      `set ${name} to a local PEM file (relative to the inventory folder), or use tls_mode: generate`,
    );
  }
  const certificateFile = r.readableFile('tls_certificate_file') ?? '';
  const keyFile = r.readableFile('tls_key_file') ?? '';
  const source: TlsSource = { mode, certificateFile, keyFile };
  const chainFile = r.readableFile('tls_chain_file');
  if (chainFile) source.chainFile = chainFile;
  const keyPassphrase = r.secret('tls_key_passphrase');
  if (keyPassphrase) source.keyPassphrase = keyPassphrase;
  return source;
}

/** The server names the load balancer will serve: the certificate must cover every one. */
export function serverNamesOf(lb: Pick<LoadBalancer, 'deployment'>): string[] {
  return renderConfig(lb.deployment, { edition: 'oss', nginxVersion: '1.22.1', confPrefix: '/etc/nginx' })
    .serverNames;
}

/**
 * The given certificate files as they will be deployed: readable PEM, the key matches (decrypted
 * with tls_key_passphrase), the chain is in order, every server name covered, not expired. Errors
 * and warnings point at tls_certificate_file. Skipped for commands that run without secrets
 * (render, certs), which deploy nothing.
 */
export function checkTlsFiles(r: VarReader, tls: TlsSource, lb: Pick<LoadBalancer, 'deployment'>): void {
  if (tls.mode !== 'files' || !tls.certificateFile || !tls.keyFile || r.ctx.secrets === 'ignore') return;
  // A passphrase from an unset { env } / { file } source is reported already (a warning in validate).
  if (r.has('tls_key_passphrase') && !tls.keyPassphrase) return;
  const name = 'tls_certificate_file';
  let check;
  try {
    check = checkCertificateFiles({
      certPem: readText(tls.certificateFile, 'tls_certificate_file'),
      keyPem: readText(tls.keyFile, 'tls_key_file'),
      ...(tls.chainFile ? { chainPem: readText(tls.chainFile, 'tls_chain_file') } : {}),
      ...(tls.keyPassphrase ? { passphrase: tls.keyPassphrase } : {}),
      serverNames: serverNamesOf(lb),
    });
  } catch (err) {
    r.report(name, (err as Error).message, 'check tls_certificate_file, tls_key_file and tls_key_passphrase');
    return;
  }
  for (const e of check.errors)
    r.report(
      name,
      `${tls.certificateFile}: ${e}`,
      'issue a certificate that fixes this, or use tls_mode: generate',
    );
  for (const w of check.warnings)
    r.report(name, `${tls.certificateFile}: ${w}`, 'renew or replace the certificate in time', 'warning');
}
