import type { LoadBalancer } from '../domain/types.js';
import type { FactQuery } from '../remote/index.js';
import { firstGuessRendering } from './lb-plan.js';

/**
 * The paths the WSO2 modules manage on a load balancer, so the first facts round trip already
 * knows their state. Another conf prefix (from nginx -V) is looked up later, on demand.
 */
export function apimPaths(lb: LoadBalancer): string[] {
  const d = lb.deployment;
  const rendered = firstGuessRendering(lb);
  const sslDir = d.tlsPaths.certificate.replace(/\/[^/]+$/, '');
  return [
    rendered.path,
    d.tlsPaths.certificate,
    d.tlsPaths.key,
    sslDir,
    ...rendered.files.map((f) => f.path),
    ...rendered.directories,
  ];
}

/**
 * What the first facts round trip asks a load balancer: the state of every path above, and the
 * deployed certificate and key of a generated pair, which apim_tls_certificates reads back to decide
 * whether it can keep them (asked here, not in a round trip of its own: a no-op run is one round
 * trip shorter). A missing file answers `missing`, so a fresh host costs nothing more. A pair that
 * still hashes to what its records hold (the certificate's with its metadata note) is not read at
 * all: the module judges it from the records.
 */
export function apimQueries(lb: LoadBalancer): FactQuery[] {
  const files = apimPaths(lb).map((path): FactQuery => ({ kind: 'file', path }));
  if (lb.tls.mode !== 'generate') return files;
  const { certificate, key } = lb.deployment.tlsPaths;
  return [
    ...files,
    { kind: 'content', path: certificate, orRecord: 'note' },
    { kind: 'content', path: key, orRecord: 'sha256' },
  ];
}
