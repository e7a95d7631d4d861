import type { LoadBalancer } from '../domain/types.js';
import { sha256Hex, type FactQuery } from '../remote/index.js';
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
 * all: the module judges it from the records. With `diff`, the old content of the conf.d file
 * where a diff may show it (diffQueries).
 */
export function apimQueries(lb: LoadBalancer, options: { diff: boolean }): FactQuery[] {
  const files = apimPaths(lb).map((path): FactQuery => ({ kind: 'file', path }));
  const queries = options.diff ? [...files, ...diffQueries(lb)] : files;
  if (lb.tls.mode !== 'generate') return queries;
  const { certificate, key } = lb.deployment.tlsPaths;
  return [
    ...queries,
    { kind: 'content', path: certificate, orRecord: 'note' },
    { kind: 'content', path: key, orRecord: 'sha256' },
  ];
}

/**
 * Largest old content of a conf.d file (or a file it refers to) read ahead for `--diff`: a larger
 * one is read only when its diff is shown, in a round trip of its own.
 */
export const DIFF_READ_AHEAD_BYTES = 256 * 1024;

/**
 * `--diff`: the old content of the files apim_lb_config writes (all text, none secret), read in
 * the first round trip where it differs from what the first guess renders, so the diff of a file
 * edited on the host, or of one the inventory changed, needs no round trip of its own.
 */
function diffQueries(lb: LoadBalancer): FactQuery[] {
  const rendered = firstGuessRendering(lb);
  return [{ path: rendered.path, content: rendered.content }, ...rendered.files].map((f): FactQuery => ({
    kind: 'diff',
    path: f.path,
    expected: sha256Hex(f.content),
    maxBytes: DIFF_READ_AHEAD_BYTES,
  }));
}
