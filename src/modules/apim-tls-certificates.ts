import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  checkCertificateFiles,
  createCertificate,
  deployedCertificateVerdict,
  generatePrivateKeyAsync,
  inspectCertificate,
  recordedCertificateVerdict,
  recordedMetadataOf,
  type CertificateMetadata,
} from '../certs/index.js';
import type { TlsSource } from '../domain/types.js';
import { defineModule, failure, type ModuleContext } from './contract.js';
import { sha256 } from './files.js';
import { notALoadBalancer, planLoadBalancer } from './lb-plan.js';

interface TlsMaterial {
  certPem: string;
  keyPem: string;
  warnings: string[];
  /** Already parsed (a kept certificate): not parsed again for the plan. */
  certificate?: CertificateMetadata;
}

const MODULE = 'apim_tls_certificates';

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
    const paths = [lbPlan.deployment.tlsPaths.certificate, lbPlan.deployment.tlsPaths.key];
    // The deployed pair is read back to decide whether it can be kept; a missing one means a new pair.
    if (paths.some((p) => ctx.facts.files[p]?.exists === false)) return {};
    return { queries: paths.map((path) => ({ kind: 'content' as const, path })) };
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
    return {
      changes: [],
      actions: [
        { kind: 'stage-directory', directory: { path: sslDir, mode: '0700', owner: 'root', group: 'root' } },
        {
          kind: 'stage-file',
          file: {
            path: certificate,
            content: Buffer.from(material.certPem),
            mode: '0644',
            owner: 'root',
            group: 'root',
            secret: false,
            certificate: material.certificate ?? inspectCertificate(material.certPem),
          },
        },
        {
          kind: 'stage-file',
          file: {
            path: key,
            content: Buffer.from(material.keyPem),
            mode: '0600',
            owner: 'root',
            group: 'root',
            secret: true,
          },
        },
      ],
      warnings: material.warnings,
      manages: [certificate, key],
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
  return { certPem: check.fullChainPem, keyPem: check.keyPem, warnings: check.warnings };
}

async function generatedOrKept(
  ctx: ModuleContext,
  tls: Extract<TlsSource, { mode: 'generate' }>,
  certPath: string,
  keyPath: string,
  serverNames: string[],
): Promise<TlsMaterial> {
  const certContent = ctx.facts.contents[certPath];
  const keyContent = ctx.facts.contents[keyPath];
  if (certContent && keyContent) {
    const certPem = certContent.toString('utf8');
    const keyPem = keyContent.toString('utf8');
    // The key was matched to the certificate before this module deployed the pair: bytes its
    // records say it wrote need no second match (the costliest part of a no-op run), and their
    // names and validity are read from the metadata recorded with them (naming this certificate's
    // fingerprint) instead of parsing it again; any other bytes are checked in full. Names and
    // expiry are judged on every run.
    const written =
      writtenByThisModule(ctx, certPath, certContent) && writtenByThisModule(ctx, keyPath, keyContent);
    const note = written ? ctx.facts.state.recordedNote[certPath] : undefined;
    const recorded = note === undefined ? undefined : recordedMetadataOf(certPem, note);
    const verdict = recorded
      ? recordedCertificateVerdict(recorded, serverNames)
      : deployedCertificateVerdict(certPem, written ? undefined : keyPem, serverNames);
    if ('keep' in verdict) return { certPem, keyPem, warnings: [], certificate: verdict.keep };
    return {
      ...(await issue(ctx, tls, serverNames)),
      warnings: [`replacing the certificate: ${verdict.renew}`],
    };
  }
  return { ...(await issue(ctx, tls, serverNames)), warnings: [] };
}

/**
 * `content` is what this module last wrote at `path`, by the host's records (written by the
 * transaction that made the file live, only after the pair was checked).
 */
function writtenByThisModule(ctx: ModuleContext, path: string, content: Buffer): boolean {
  const { records, recordedSha } = ctx.facts.state;
  const recorded = recordedSha[path];
  return recorded !== undefined && records[MODULE]?.includes(path) === true && recorded === sha256(content);
}

async function issue(
  ctx: ModuleContext,
  tls: Extract<TlsSource, { mode: 'generate' }>,
  serverNames: string[],
): Promise<{ certPem: string; keyPem: string; certificate: CertificateMetadata }> {
  const keySpec = { keyType: tls.keyType, rsaBits: tls.rsaBits };
  const ca = tls.useCa ? ctx.localCa() : undefined;
  // Off the event loop: the other hosts' SSH sessions go on while this key is made.
  const generatedKey = await generatePrivateKeyAsync(keySpec);
  const generated = createCertificate({
    hostnames: serverNames,
    key: keySpec,
    generatedKey,
    days: tls.days,
    ...(ca ? { issuer: ca } : {}),
  });
  return { certPem: generated.certPem, keyPem: generated.keyPem, certificate: generated.certificate };
}
