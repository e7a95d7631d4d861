import type { X509Certificate } from 'node:crypto';
import { formatName, issuedBy } from './inspect.js';

export type ChainOrderResult = { ok: true } | { ok: false; message: string; ordered?: X509Certificate[] };

function label(cert: X509Certificate): string {
  return `"${formatName(cert.subject)}"`;
}

/**
 * Checks that each certificate is issued by the next one (leaf first), which is the order nginx
 * sends them in. On failure, says what the right order is when one exists.
 */
export function checkChainOrder(leaf: X509Certificate, chain: readonly X509Certificate[]): ChainOrderResult {
  const all = [leaf, ...chain];
  const inOrder = all.slice(0, -1).every((cert, i) => issuedBy(cert, all[i + 1]!));
  if (inOrder) return { ok: true };

  // Walk up from the leaf picking each certificate's issuer among those left.
  const ordered = [leaf];
  const remaining = [...chain];
  for (;;) {
    const current = ordered[ordered.length - 1]!;
    const next = remaining.findIndex((c) => issuedBy(current, c));
    if (next < 0) break;
    ordered.push(...remaining.splice(next, 1));
  }
  if (remaining.length === 0) {
    return {
      ok: false,
      ordered,
      message:
        'the certificate chain is out of order: each certificate must be followed by the one that issued it; ' +
        `the right order is ${ordered.map(label).join(' -> ')}`,
    };
  }
  const stuck = ordered[ordered.length - 1]!;
  return {
    ok: false,
    message:
      `the certificate chain is broken: no certificate in it issued ${label(stuck)} ` +
      `(issuer "${formatName(stuck.issuer)}"), and ${remaining.map(label).join(', ')} ` +
      `${remaining.length === 1 ? 'does' : 'do'} not belong to this chain`,
  };
}
