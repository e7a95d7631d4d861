import { directive, literal, type ConfNode } from './nginx-conf.js';
import { NGINX_FEATURES, nginxVersionAtLeast } from './nginx-version.js';

/** Mozilla "intermediate" (server-side TLS guidelines 5.7 / 6.0): TLS 1.2 and 1.3 only. */
export const TLS_PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const;

/** Mozilla intermediate TLS 1.2 suites: ECDHE with AES-GCM or CHACHA20 only (TLS 1.3 suites are OpenSSL's). */
export const TLS_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export const TLS_CURVES = ['X25519', 'prime256v1', 'secp384r1'] as const;

/**
 * One session cache for the whole file. nginx accepts the same `shared:` zone (same name and size) in
 * every server block and shares it between them.
 */
export const SSL_SESSION_CACHE = 'shared:wso2_apim_tls:10m';

export const HSTS_VALUE = '"max-age=63072000"';

export interface TlsFiles {
  certificate: string;
  key: string;
}

/** The certificate and hardening directives of one TLS server block. */
export function tlsDirectives(files: TlsFiles, nginxVersion: string): ConfNode[] {
  const nodes = [
    directive('ssl_certificate', literal(files.certificate, 'certificate path')),
    directive('ssl_certificate_key', literal(files.key, 'key path')),
    directive('ssl_protocols', ...TLS_PROTOCOLS),
    directive('ssl_ciphers', TLS_CIPHERS.join(':')),
    directive('ssl_ecdh_curve', TLS_CURVES.join(':')),
    directive('ssl_prefer_server_ciphers', 'off'),
    directive('ssl_session_cache', SSL_SESSION_CACHE),
    directive('ssl_session_timeout', '1d'),
  ];
  // Before 1.23.2 ticket keys never rotate, which defeats forward secrecy.
  if (!nginxVersionAtLeast(nginxVersion, NGINX_FEATURES.sessionTicketKeyRotation)) {
    nodes.push(directive('ssl_session_tickets', 'off'));
  }
  return nodes;
}

/**
 * `listen` lines (IPv4, and IPv6 unless the host has none) plus, from 1.25.1, the `http2` directive
 * that replaced the listen parameter. Never `ssl on` (removed in 1.25.1).
 */
export function listenDirectives(
  port: number,
  tls: boolean,
  http2: boolean,
  nginxVersion: string,
  ipv6: boolean,
): ConfNode[] {
  const modern = nginxVersionAtLeast(nginxVersion, NGINX_FEATURES.http2Directive);
  const params = [...(tls ? ['ssl'] : []), ...(tls && http2 && !modern ? ['http2'] : [])];
  const nodes = [directive('listen', port, ...params)];
  if (ipv6) nodes.push(directive('listen', `[::]:${port}`, ...params));
  if (tls && http2 && modern) nodes.push(directive('http2', 'on'));
  return nodes;
}
