/**
 * nginx version arithmetic. Versions come from `nginx -v` or the inventory, e.g. `1.22.1`,
 * `nginx/1.30.0` or Plus's `1.25.3 (nginx-plus-r31)`: only the leading numbers count.
 */

/** Versions from which a directive or behaviour the renderer cares about exists. */
export const NGINX_FEATURES = {
  /** `http2 on;` replaces the `http2` listen parameter (which is deprecated from then on). */
  http2Directive: '1.25.1',
  /** Session tickets rotate their keys safely: `ssl_session_tickets off` is no longer needed. */
  sessionTicketKeyRotation: '1.23.2',
  /** Open-source nginx accepts `sticky learn` (before that it was NGINX Plus only). */
  ossSticky: '1.29.6',
} as const;

/**
 * The nginx an install source brings, for rendering before it is installed (render without
 * --nginx-version, check mode on a bare host): render and apply must not differ silently.
 */
export const EXPECTED_NGINX = {
  /** Debian 12's nginx: the oldest a supported distribution ships; later versions accept its syntax. */
  distro: '1.22.1',
  /** nginx.org's current stable line (1.30, April 2026), which has the open-source `sticky`. */
  nginxOrg: '1.30.0',
  /** NGINX Plus R33, the first release that needs the licence JWT: what the repository serves now. */
  plus: '1.27.2 (nginx-plus-r33)',
} as const;

const VERSION_RE = /^\s*(?:nginx\/)?(\d+)\.(\d+)(?:\.(\d+))?/;

/** `[major, minor, patch]`; throws on text that does not start with a version. */
export function parseNginxVersion(version: string): [number, number, number] {
  const m = VERSION_RE.exec(version);
  if (!m) throw new RangeError(`"${version}" is not an nginx version (expected e.g. 1.22.1)`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareNginxVersions(a: string, b: string): number {
  const va = parseNginxVersion(a);
  const vb = parseNginxVersion(b);
  for (let i = 0; i < 3; i++) {
    const diff = (va[i] ?? 0) - (vb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

export function nginxVersionAtLeast(version: string, min: string): boolean {
  return compareNginxVersions(version, min) >= 0;
}
