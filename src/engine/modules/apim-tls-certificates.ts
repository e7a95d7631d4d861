import { readFileSync } from 'node:fs';
import {
  certificateNeedsRenewal,
  checkCertificateFiles,
  createCertificate,
  ensureLocalCa,
  generatePrivateKeyAsync,
  inspectCertificate,
} from '../../certs/index.js';
import type { TlsSource } from '../../domain/types.js';
import type { DesiredFile } from '../desired-state.js';
import type { HostSession } from '../host-session.js';
import { planLoadBalancer } from '../lb-plan.js';
import { failed, outcome, type ModuleDefinition } from './module.js';
import { readRemoteFiles, stageFiles } from './stage-files.js';

interface TlsMaterial {
  certPem: string;
  keyPem: string;
  warnings: string[];
}

/**
 * The certificate and key nginx serves, in <conf prefix>/ssl (folder 0700, key 0600, cert 0644).
 * A generated certificate is kept while it still covers every server name and is not close to
 * expiry, so repeated runs change nothing; given files are deployed as they are (key decrypted).
 */
export const apimTlsCertificates: ModuleDefinition = {
  staged: true,
  async run({ session }) {
    if (!session.loadBalancer) return failed(`${session.host.name} is not in the loadbalancers group`);
    const { deployment, rendered } = planLoadBalancer(session);
    const { certificate, key } = deployment.tlsPaths;
    session.managedPaths.add(certificate);
    session.managedPaths.add(key);
    const tls = session.loadBalancer.tls;
    const material =
      tls.mode === 'files'
        ? fromFiles(tls, rendered.serverNames)
        : await generatedOrKept(session, tls, certificate, key, rendered.serverNames);
    if (typeof material === 'string') return failed(material);
    const files: DesiredFile[] = [
      {
        path: certificate,
        content: Buffer.from(material.certPem),
        mode: '0644',
        owner: 'root',
        group: 'root',
        secret: false,
        certificate: inspectCertificate(material.certPem),
      },
      {
        path: key,
        content: Buffer.from(material.keyPem),
        mode: '0600',
        owner: 'root',
        group: 'root',
        secret: true,
      },
    ];
    const sslDir = certificate.replace(/\/[^/]+$/, '');
    const changes = await stageFiles(session, files, [
      { path: sslDir, mode: '0700', owner: 'root', group: 'root' },
    ]);
    return outcome(changes, material.warnings);
  },
};

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
  session: HostSession,
  tls: Extract<TlsSource, { mode: 'generate' }>,
  certPath: string,
  keyPath: string,
  serverNames: string[],
): Promise<TlsMaterial> {
  const certFact = session.fileFact(certPath);
  const keyFact = session.fileFact(keyPath);
  if (certFact?.exists && keyFact?.exists) {
    const current = await readRemoteFiles(session, [certPath, keyPath]);
    const certPem = current.get(certPath)?.toString('utf8');
    const keyPem = current.get(keyPath)?.toString('utf8');
    if (certPem && keyPem) {
      const reason = certificateNeedsRenewal(certPem, keyPem, serverNames);
      if (reason === undefined) return { certPem, keyPem, warnings: [] };
      return {
        ...(await issue(session, tls, serverNames)),
        warnings: [`replacing the certificate: ${reason}`],
      };
    }
  }
  return { ...(await issue(session, tls, serverNames)), warnings: [] };
}

async function issue(
  session: HostSession,
  tls: Extract<TlsSource, { mode: 'generate' }>,
  serverNames: string[],
): Promise<{ certPem: string; keyPem: string }> {
  const key = { keyType: tls.keyType, rsaBits: tls.rsaBits };
  const issuer = tls.useCa ? ensureLocalCa(session.options.pkiDir) : undefined;
  // Off the event loop: the other hosts' SSH sessions go on while this key is made.
  const generatedKey = await generatePrivateKeyAsync(key);
  const generated = createCertificate({
    hostnames: serverNames,
    key,
    generatedKey,
    days: tls.days,
    ...(issuer ? { issuer: { certPem: issuer.certPem, keyPem: issuer.keyPem } } : {}),
  });
  return { certPem: generated.certPem, keyPem: generated.keyPem };
}
