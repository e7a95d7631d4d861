/**
 * The load-balancer settings production needs and WSO2's samples lack: request body limits, HSTS
 * and upstream TLS names per hostname, upstream certificate verification, passive/active health
 * checks, the admin-path allow-list, a status endpoint and the default server on port 80.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Diagnostic } from '../input/diagnostics.js';
import {
  HOSTNAME_KEYS,
  type Deployment,
  type Inventory,
  type HostnameKey,
  type SiteSettings,
  type UpstreamTls,
} from '../domain/types.js';
import { DEFAULT_HEALTH, defaultSites } from '../patterns/index.js';
import { isDnsName } from './address.js';
import { didYouMean } from './did-you-mean.js';
import { isPlainObject } from './inventory-tree.js';
import { VarReader } from './var-reader.js';

type Settings = Pick<
  Deployment,
  'sites' | 'upstreamTls' | 'health' | 'adminAllow' | 'statusPort' | 'defaultServer'
>;

/** Ports the load balancer's own servers listen on: a status endpoint there would clash. */
const SERVED_PORTS = [80, 443, 8099, 9099, 8243, 8280, 8021, 9021];

const SIZE = /^\d+[kKmMgG]?$/;
const TIME = /^(?:\d+(?:ms|s|m|h|d|w|M|y))+$|^\d+$/;

function textOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
  return typeof value === 'string' ? value.trim() : undefined;
}

/** A value nginx reads as a size or a time, checked with `syntax`; numbers are taken as written. */
function nginxValue(r: VarReader, name: string, fallback: string, syntax: RegExp, what: string): string {
  const v = r.get(name);
  if (v === undefined || v.value === null) return fallback;
  const text = textOf(v.value);
  if (text !== undefined && syntax.test(text)) return text;
  r.report(name, `${name} must be ${what}, got ${r.show(name, v.value)}`, `write ${name}: ${fallback}`);
  return fallback;
}

/** An nginx size (`100m`, `512k`, bytes, `0` for no limit). */
function nginxSize(r: VarReader, name: string, fallback: string): string {
  return nginxValue(r, name, fallback, SIZE, 'an nginx size such as 100m, 512k or 0 (no limit)');
}

/** An nginx time (`30s`, `5m`, `1h`, `1h30m`; a bare number is seconds). */
export function nginxTime(r: VarReader, name: string, fallback: string): string {
  return nginxValue(r, name, fallback, TIME, 'an nginx time such as 30s, 5m or 1h');
}

/**
 * A per-hostname variable: one value for every name, or a mapping of hostname keys (and
 * `default`) to values. Each entry is read by its own VarReader, so problems point at the entry.
 */
function perHostname<T>(
  r: VarReader,
  name: string,
  fallback: (key: HostnameKey) => T,
  read: (entry: VarReader, entryName: string, fallback: T) => T,
): Record<HostnameKey, T> {
  const v = r.get(name);
  const result = {} as Record<HostnameKey, T>;
  for (const key of HOSTNAME_KEYS) result[key] = fallback(key);
  if (v === undefined || v.value === null) return result;
  const entry = (label: string, value: unknown, path: readonly (string | number)[]): VarReader =>
    new VarReader(new Map([[label, { value, origin: { source: v.origin.source, path } }]]), r.bag, r.ctx);
  if (!isPlainObject(v.value)) {
    for (const key of HOSTNAME_KEYS)
      result[key] = read(entry(name, v.value, v.origin.path), name, result[key]);
    return result;
  }
  const keys = ['default', ...HOSTNAME_KEYS];
  const map = v.value;
  if ('default' in map) {
    for (const key of HOSTNAME_KEYS) {
      result[key] = read(
        entry(`${name}.default`, map.default, [...v.origin.path, 'default']),
        `${name}.default`,
        result[key],
      );
    }
  }
  for (const [key, value] of Object.entries(map)) {
    if (key === 'default') continue;
    if (!(HOSTNAME_KEYS as readonly string[]).includes(key)) {
      r.bag.push(
        v.origin.source.diagnostic(
          [...v.origin.path, key],
          `unknown ${name} key "${key}"${didYouMean(key, keys)}`,
          `use the hostname keys ${HOSTNAME_KEYS.join(', ')} (or default)`,
        ),
      );
      continue;
    }
    const label = `${name}.${key}`;
    result[key as HostnameKey] = read(
      entry(label, value, [...v.origin.path, key]),
      label,
      result[key as HostnameKey],
    );
  }
  return result;
}

function upstreamTlsName(entry: VarReader, name: string, fallback: string): string {
  const written = entry.string(name);
  if (written === undefined) return fallback;
  if (isDnsName(written)) return written;
  entry.report(
    name,
    `${name} must be the DNS name the API-M nodes' certificates carry, got ${JSON.stringify(written)}`,
    "write the name in the nodes' certificates (nginx checks DNS names, not IP addresses)",
  );
  return fallback;
}

function sitesOf(r: VarReader, hostnames: Record<HostnameKey, string>): Record<HostnameKey, SiteSettings> {
  const defaults = defaultSites(hostnames);
  const hsts = perHostname(
    r,
    'apim_hsts',
    (k) => defaults[k].hsts,
    (e, n, f) =>
      // `true` is the default choice (the browser-facing names), not every name.
      e.bool(n, f) ? (n === 'apim_hsts' ? f : true) : false,
  );
  const bodySize = perHostname(
    r,
    'apim_client_max_body_size',
    (k) => defaults[k].clientMaxBodySize,
    nginxSize,
  );
  const tlsName = perHostname(
    r,
    'apim_upstream_tls_name',
    (k) => defaults[k].upstreamTlsName,
    upstreamTlsName,
  );
  const sites = {} as Record<HostnameKey, SiteSettings>;
  for (const key of HOSTNAME_KEYS) {
    sites[key] = { hsts: hsts[key], clientMaxBodySize: bodySize[key], upstreamTlsName: tlsName[key] };
  }
  return sites;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The trusted certificates as nginx will load them; problems nginx would refuse to load are errors. */
function trustedCertificates(r: VarReader, file: string): string | undefined {
  const blocks = readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    r.report(
      'apim_upstream_ca_file',
      `apim_upstream_ca_file ${file} holds no PEM certificate`,
      "give the PEM file (-----BEGIN CERTIFICATE-----) of the CA that issued the API-M nodes' certificates",
    );
    return undefined;
  }
  for (const pem of blocks) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (error) {
      r.report(
        'apim_upstream_ca_file',
        `apim_upstream_ca_file ${file}: a certificate cannot be read (${(error as Error).message})`,
        'replace it with the PEM export of the certificate',
      );
      return undefined;
    }
    const subject = cert.subject.replace(/\n/g, ', ');
    if (new Date(cert.validTo).getTime() < Date.now()) {
      r.report(
        'apim_upstream_ca_file',
        `apim_upstream_ca_file: the certificate ${subject} expired on ${cert.validTo}: nodes whose chain ends there are refused (502)`,
        'replace it with the current CA certificate',
        'warning',
      );
    }
    if (!cert.ca && !cert.checkIssued(cert)) {
      r.report(
        'apim_upstream_ca_file',
        `apim_upstream_ca_file: ${subject} is neither a CA nor a self-signed certificate: nginx does not accept it as a trust anchor (no partial chains)`,
        "give the CA certificate that issued the nodes' certificates (or the nodes' self-signed certificates themselves)",
        'warning',
      );
    }
  }
  return `${blocks.join('\n')}\n`;
}

function upstreamTlsOf(r: VarReader): UpstreamTls {
  const verify = r.bool('apim_upstream_tls_verify', false);
  const caFile = r.readableFile('apim_upstream_ca_file');
  if (!verify) {
    if (r.has('apim_upstream_ca_file')) {
      r.report(
        'apim_upstream_ca_file',
        'apim_upstream_ca_file has no effect while apim_upstream_tls_verify is off',
        'set apim_upstream_tls_verify: true, or remove apim_upstream_ca_file',
        'warning',
      );
    }
    return { verify: false, deliberate: r.has('apim_upstream_tls_verify') };
  }
  if (!r.has('apim_upstream_ca_file')) {
    r.report(
      'apim_upstream_tls_verify',
      "apim_upstream_tls_verify needs apim_upstream_ca_file: nginx has nothing to verify the nodes' certificates against",
      "set apim_upstream_ca_file to the PEM file of the CA that issued the API-M nodes' certificates",
    );
    return { verify: false, deliberate: false };
  }
  const caPem = caFile ? trustedCertificates(r, caFile) : undefined;
  return caFile && caPem ? { verify: true, caFile, caPem } : { verify: false, deliberate: false };
}

/** An address or CIDR network `allow`/`geo` accept. */
function isNetwork(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

function adminAllowOf(
  r: VarReader,
  d: Pick<Deployment, 'pattern' | 'nodes' | 'hostnames'>,
): string[] | undefined {
  const v = r.get('apim_admin_allow');
  if (v === undefined || v.value === null) return undefined;
  const items = Array.isArray(v.value) ? (v.value as unknown[]) : [v.value];
  const networks: string[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(v.value) ? [...v.origin.path, i] : v.origin.path;
    if (typeof item === 'string' && isNetwork(item.trim())) networks.push(item.trim());
    else
      r.bag.push(
        v.origin.source.diagnostic(
          at,
          `apim_admin_allow: ${JSON.stringify(item)} is not an IP address or CIDR network`,
          'list the networks admins work from, e.g. apim_admin_allow: [10.20.0.0/16, 2001:db8:1::/48]',
        ),
      );
  });
  // In distributed layouts the nodes call https://<lb name>/services/ themselves: they are let in
  // by address, which nginx can only do for IP literals.
  if (d.pattern === 'distributed' || d.pattern === 'simple-scalable') {
    const named = Object.values(d.nodes)
      .flat()
      .filter((b) => isIP(b.address) === 0);
    if (named.length > 0) {
      r.report(
        'apim_admin_allow',
        `apim_admin_allow cannot let in API-M nodes known by name (${[...new Set(named.map((b) => `${b.name}: ${b.address}`))].join(', ')}): ` +
          'their calls to /services/ through the load balancer (gateway, Key Manager, Traffic Manager service URLs) will get 403',
        "set apim_address to the nodes' IP addresses, or add their networks to apim_admin_allow",
        'warning',
      );
    }
  }
  return networks;
}

function statusPortOf(r: VarReader): number | undefined {
  if (!r.has('apim_status_port')) return undefined;
  const port = r.int('apim_status_port', 0, 1, 65535);
  if (port === 0) return undefined;
  if (SERVED_PORTS.includes(port)) {
    r.report(
      'apim_status_port',
      `apim_status_port ${port} is a port the load balancer serves API-M on`,
      'pick a free local port, e.g. apim_status_port: 8081',
    );
    return undefined;
  }
  return port;
}

/**
 * What unverified upstream TLS costs, for `validate` and `apply` (not for every inventory load:
 * render and the unit of each loader check have no use for it). Silenced by writing
 * `apim_upstream_tls_verify: false`.
 */
export function unverifiedUpstreamWarnings(inventory: Inventory): Diagnostic[] {
  return inventory.loadBalancers
    .filter((lb) => !lb.deployment.upstreamTls.verify && !lb.deployment.upstreamTls.deliberate)
    .map((lb) => ({
      file: inventory.file,
      line: 0,
      column: 0,
      key: `${lb.host.name}.apim_upstream_tls_verify`,
      message:
        `${lb.host.name}: the API-M nodes' certificates are not verified (apim_upstream_tls_verify is off): anyone who can reach the network between ` +
        "the load balancer and the nodes, or take over a node's address, can read and change every request, passwords and tokens included",
      fix: "set apim_upstream_tls_verify: true and apim_upstream_ca_file to the CA of the nodes' certificates; write apim_upstream_tls_verify: false to accept the risk and silence this warning",
      severity: 'warning' as const,
    }));
}

export function lbSettings(
  r: VarReader,
  d: Pick<Deployment, 'version' | 'pattern' | 'hostnames' | 'nodes'>,
): Settings {
  const adminAllow = adminAllowOf(r, d);
  const statusPort = statusPortOf(r);
  return {
    sites: sitesOf(r, d.hostnames),
    upstreamTls: upstreamTlsOf(r),
    health: {
      maxFails: r.int('apim_upstream_max_fails', DEFAULT_HEALTH.maxFails, 0, 100),
      failTimeout: nginxTime(r, 'apim_upstream_fail_timeout', DEFAULT_HEALTH.failTimeout),
      active: r.bool('apim_active_health_checks', DEFAULT_HEALTH.active),
    },
    ...(adminAllow ? { adminAllow } : {}),
    ...(statusPort !== undefined ? { statusPort } : {}),
    defaultServer: r.bool('apim_default_server', false),
  };
}
