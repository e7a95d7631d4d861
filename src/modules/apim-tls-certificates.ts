import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  checkCertificateFiles,
  createCertificate,
  deployedCertificateVerdict,
  generatePrivateKeyAsync,
  inspectCertificate,
  noteMetadata,
  recordedCertificateVerdict,
  recordedMetadataOf,
  type CertificateMetadata,
} from '../certs/index.js';
import type { TlsSource } from '../domain/types.js';
import type { RemoteFileFact } from '../remote/index.js';
import { defineModule, failure, type Action, type KeptFile, type ModuleContext } from './contract.js';
import { normaliseMode, sha256 } from './files.js';
import { notALoadBalancer, planLoadBalancer } from './lb-plan.js';

/** One file of the pair: its bytes (new, or read back), or only the sha256 the host holds (kept unread). */
type PairFile = { pem: string } | { sha256: string };

interface TlsMaterial {
  cert: PairFile;
  key: PairFile;
  warnings: string[];
  /** Already known (a kept certificate): not parsed again for the plan. */
  certificate?: CertificateMetadata;
}

const MODULE = 'apim_tls_certificates';
const CERT_FILE = { mode: '0644', owner: 'root', group: 'root', secret: false };
const KEY_FILE = { mode: '0600', owner: 'root', group: 'root', secret: true };

/**
 * `apim_tls_certificates`: the certificate and key nginx serves, in <conf prefix>/ssl (folder
 * 0700, key 0600, cert 0644). A generated certificate is kept while it still covers every server
 * name and is not close to expiry, so repeated runs change nothing; given files are deployed as
 * they are (key decrypted). Generated ones are signed by the local CA (tls_use_ca, default on).
 */
export const apimTlsCertificates = defineModule({
  name: MODULE,
  summary: "The load balancer's TLS certificate and key (generated and kept, or given files).",
  runs: 'staged',
  transaction: 'nginx',
  args: () => z.strictObject({}),
  needs(ctx) {
    const lbPlan = planLoadBalancer(ctx);
    if (!lbPlan || ctx.loadBalancer?.tls.mode !== 'generate') return {};
    const { certificate, key } = lbPlan.deployment.tlsPaths;
    // The deployed pair is read back to decide whether it can be kept; a missing one means a new pair.
    if ([certificate, key].some((p) => ctx.facts.files[p]?.exists === false)) return {};
    return {
      queries: unreadNeeded(ctx, certificate, key).map((path) => ({ kind: 'content' as const, path })),
    };
  },
  async plan(ctx) {
    const lb = ctx.loadBalancer;
    const lbPlan = planLoadBalancer(ctx);
    if (!lb || !lbPlan) return failure(notALoadBalancer(ctx.host.name));
    const { deployment, rendered } = lbPlan;
    const { certificate, key } = deployment.tlsPaths;
    const tls = lb.tls;
    const material =
      tls.mode === 'files'
        ? fromFiles(tls, rendered.serverNames)
        : await generatedOrKept(ctx, tls, certificate, key, rendered.serverNames);
    if (typeof material === 'string') return failure(material);
    const sslDir = certificate.replace(/\/[^/]+$/, '');
    const { cert } = material;
    const meta = material.certificate ?? inspectCertificate(pemOf(cert));
    const actions: Action[] = [
      { kind: 'stage-directory', directory: { path: sslDir, mode: '0700', owner: 'root', group: 'root' } },
    ];
    const kept: KeptFile[] = [];
    for (const [path, file, desired] of [
      [certificate, cert, { ...CERT_FILE, certificate: meta }],
      [key, material.key, KEY_FILE],
    ] as const) {
      if ('pem' in file)
        actions.push({ kind: 'stage-file', file: { path, content: Buffer.from(file.pem), ...desired } });
      else
        kept.push({ path, sha256: file.sha256, ...('certificate' in desired ? { certificate: meta } : {}) });
    }
    return {
      changes: [],
      actions,
      warnings: material.warnings,
      manages: [certificate, key],
      ...(kept.length > 0 ? { kept } : {}),
    };
  },
});

function fromFiles(tls: Extract<TlsSource, { mode: 'files' }>, serverNames: string[]): TlsMaterial | string {
  const check = checkCertificateFiles({
    certPem: readFileSync(tls.certificateFile, 'utf8'),
    keyPem: readFileSync(tls.keyFile, 'utf8'),
    ...(tls.chainFile ? { chainPem: readFileSync(tls.chainFile, 'utf8') } : {}),
    ...(tls.keyPassphrase ? { passphrase: tls.keyPassphrase } : {}),
    serverNames,
  });
  if (check.errors.length > 0 || !check.keyPem || !check.fullChainPem) {
    return `the certificate files cannot be used: ${check.errors.join('; ')}`;
  }
  return { cert: { pem: check.fullChainPem }, key: { pem: check.keyPem }, warnings: check.warnings };
}

/** The deployed file at a path: its text when it was read back, and the sha256 of its bytes. */
interface Held {
  sha256: string;
  pem?: string;
}

/**
 * What the host holds at a path of the deployed pair: its bytes when they were read back, else the
 * sha256 the host found when it did not read them because it is the one the records hold
 * (recordedContent), as long as the facts still say the file is that; undefined: nothing (missing).
 */
function heldAt(ctx: ModuleContext, path: string): Held | undefined {
  const bytes = ctx.facts.contents[path];
  if (bytes !== undefined)
    return bytes === null ? undefined : { sha256: sha256(bytes), pem: bytes.toString('utf8') };
  const fact = ctx.facts.files[path];
  const vouched = ctx.facts.recordedContent[path];
  return vouched !== undefined && fact?.exists && fact.type === 'file' && fact.sha256 === vouched
    ? { sha256: vouched }
    : undefined;
}

/** The file as the plan keeps it: its text to stage again, or (not read) its sha256. */
const keptAs = (held: Held): PairFile =>
  held.pem !== undefined ? { pem: held.pem } : { sha256: held.sha256 };
const pemOf = (file: PairFile): string => ('pem' in file ? file.pem : '');

/**
 * The files of the deployed pair the plan must read before it can judge and keep them: none when
 * what was not read is vouched for by this module's records (both files hash to what it wrote, the
 * certificate's record has a usable note) and already has its mode and owner (staging it again
 * would need its bytes); else every one not read yet.
 */
function unreadNeeded(ctx: ModuleContext, certPath: string, keyPath: string): string[] {
  const unread = [certPath, keyPath].filter((p) => ctx.facts.contents[p] === undefined);
  const cert = heldAt(ctx, certPath);
  const key = heldAt(ctx, keyPath);
  if (!cert || !key || !writtenByThisModule(ctx, certPath, cert) || !writtenByThisModule(ctx, keyPath, key))
    return unread;
  const note = ctx.facts.state.recordedNote[certPath];
  if (cert.pem === undefined && (note === undefined || noteMetadata(note) === undefined)) return unread;
  return unread.filter((p) => !hasOwnership(ctx.facts.files[p], p === certPath ? CERT_FILE : KEY_FILE));
}

function hasOwnership(
  fact: RemoteFileFact | undefined,
  desired: { mode: string; owner: string; group: string },
): boolean {
  return (
    fact?.exists === true &&
    normaliseMode(fact.mode) === normaliseMode(desired.mode) &&
    fact.owner === desired.owner &&
    fact.group === desired.group
  );
}

async function generatedOrKept(
  ctx: ModuleContext,
  tls: Extract<TlsSource, { mode: 'generate' }>,
  certPath: string,
  keyPath: string,
  serverNames: string[],
): Promise<TlsMaterial | string> {
  const cert = heldAt(ctx, certPath);
  const key = heldAt(ctx, keyPath);
  if (!cert || !key) return { ...(await issue(ctx, tls, serverNames)), warnings: [] };
  const unread = unreadNeeded(ctx, certPath, keyPath);
  if (unread.length > 0) return `${unread.join(' and ')} were not read back from the host (internal error)`;
  // The key was matched to the certificate before this module deployed the pair: bytes its
  // records say it wrote need no second match (the costliest part of a no-op run), and their
  // names and validity are read from the metadata recorded with them instead of parsing it again:
  // naming this certificate's fingerprint when it was read back, or, when the host did not read it
  // back, vouched for by the sha256 recorded with the note (the host found the file still hashes to
  // it: those are the bytes the note was made from). Any other bytes are checked in full. Names and
  // expiry are judged on every run.
  const written = writtenByThisModule(ctx, certPath, cert) && writtenByThisModule(ctx, keyPath, key);
  const note = written ? ctx.facts.state.recordedNote[certPath] : undefined;
  const recorded =
    note === undefined
      ? undefined
      : cert.pem !== undefined
        ? recordedMetadataOf(cert.pem, note)
        : noteMetadata(note);
  // Without a usable note, what this judges was read back (unreadNeeded, checked above).
  const verdict = recorded
    ? recordedCertificateVerdict(recorded, serverNames)
    : deployedCertificateVerdict(cert.pem ?? '', written ? undefined : (key.pem ?? ''), serverNames);
  if ('keep' in verdict)
    return { cert: keptAs(cert), key: keptAs(key), warnings: [], certificate: verdict.keep };
  return {
    ...(await issue(ctx, tls, serverNames)),
    warnings: [`replacing the certificate: ${verdict.renew}`],
  };
}

/**
 * The file at `path` is what this module last wrote there, by the host's records (written by the
 * transaction that made the file live, only after the pair was checked).
 */
function writtenByThisModule(ctx: ModuleContext, path: string, file: Held): boolean {
  const { records, recordedSha } = ctx.facts.state;
  const recorded = recordedSha[path];
  return recorded !== undefined && records[MODULE]?.includes(path) === true && recorded === file.sha256;
}

async function issue(
  ctx: ModuleContext,
  tls: Extract<TlsSource, { mode: 'generate' }>,
  serverNames: string[],
): Promise<{ cert: PairFile; key: PairFile; certificate: CertificateMetadata }> {
  const keySpec = { keyType: tls.keyType, rsaBits: tls.rsaBits };
  const ca = tls.useCa ? ctx.localCa() : undefined;
  // An RSA key off the event loop: the other hosts' SSH sessions go on while it is made.
  const generatedKey = await generatePrivateKeyAsync(keySpec);
  const generated = createCertificate({
    hostnames: serverNames,
    key: keySpec,
    generatedKey,
    days: tls.days,
    ...(ca ? { issuer: ca } : {}),
  });
  return {
    cert: { pem: generated.certPem },
    key: { pem: generated.keyPem },
    certificate: generated.certificate,
  };
}
