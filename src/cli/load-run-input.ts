import { readFileSync } from 'node:fs';
import { checkCertificateFiles } from '../certs/index.js';
import type { Inventory, LoadBalancer } from '../domain/types.js';
import { type Diagnostic, errorsOf } from '../input/diagnostics.js';
import { unverifiedUpstreamWarnings } from '../inventory/lb-settings.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { renderConfig } from '../patterns/index.js';
import {
  checkUndefinedVariables,
  defaultPlaybookPath,
  loadPlaybook,
  type Playbook,
} from '../playbook/index.js';

export interface RunInput {
  inventory?: Inventory;
  playbook?: Playbook;
  diagnostics: Diagnostic[];
}

/**
 * Everything a run needs, validated before any host is contacted: inventory, playbook, undefined
 * template variables, the certificate files and the Plus licence.
 */
export function loadRunInput(inventoryFile: string, playbookFile?: string): RunInput {
  const inv = loadInventory(inventoryFile);
  const diagnostics = [...inv.diagnostics];
  const pb = loadPlaybook(playbookFile ?? defaultPlaybookPath());
  diagnostics.push(...pb.diagnostics);
  if (inv.inventory && pb.playbook) {
    const varsByHost = new Map([...inv.inventory.hosts.values()].map((h) => [h.name, h.vars]));
    diagnostics.push(...checkUndefinedVariables(pb.playbook, varsByHost));
  }
  if (inv.inventory) {
    for (const lb of inv.inventory.loadBalancers)
      diagnostics.push(...checkTlsInputs(lb), ...checkPlusLicence(lb));
    diagnostics.push(...unverifiedUpstreamWarnings(inv.inventory));
  }
  const ok = errorsOf(diagnostics).length === 0;
  return {
    diagnostics,
    ...(ok && inv.inventory ? { inventory: inv.inventory } : {}),
    ...(ok && pb.playbook ? { playbook: pb.playbook } : {}),
  };
}

function problem(
  file: string,
  key: string,
  message: string,
  fix: string,
  severity: Diagnostic['severity'],
): Diagnostic {
  return { file, line: 0, column: 0, key, message, fix, severity };
}

/** The server names the load balancer will serve: the certificate must cover every one. */
export function serverNamesOf(lb: LoadBalancer): string[] {
  return renderConfig(lb.deployment, { edition: 'oss', nginxVersion: '1.22.1', confPrefix: '/etc/nginx' })
    .serverNames;
}

function checkTlsInputs(lb: LoadBalancer): Diagnostic[] {
  const tls = lb.tls;
  if (tls.mode !== 'files') return [];
  const key = `${lb.host.name}.tls_certificate_file`;
  let check;
  try {
    check = checkCertificateFiles({
      certPem: readFileSync(tls.certificateFile, 'utf8'),
      keyPem: readFileSync(tls.keyFile, 'utf8'),
      ...(tls.chainFile ? { chainPem: readFileSync(tls.chainFile, 'utf8') } : {}),
      ...(tls.keyPassphrase ? { passphrase: tls.keyPassphrase } : {}),
      serverNames: serverNamesOf(lb),
    });
  } catch (err) {
    return [
      problem(
        tls.certificateFile,
        key,
        (err as Error).message,
        'check tls_certificate_file, tls_key_file and tls_key_passphrase',
        'error',
      ),
    ];
  }
  return [
    ...check.errors.map((e) =>
      problem(
        tls.certificateFile,
        key,
        e,
        'issue a certificate that fixes this, or use tls_mode: generate',
        'error',
      ),
    ),
    ...check.warnings.map((w) =>
      problem(tls.certificateFile, key, w, 'renew or replace the certificate in time', 'warning'),
    ),
  ];
}

function checkPlusLicence(lb: LoadBalancer): Diagnostic[] {
  const licence = lb.plusLicence;
  if (!licence) return [];
  const key = `${lb.host.name}.nginx_plus_repo_cert`;
  try {
    const check = checkCertificateFiles({
      certPem: readFileSync(licence.repoCertificateFile, 'utf8'),
      keyPem: readFileSync(licence.repoKeyFile, 'utf8'),
      serverNames: [],
    });
    // A repository client certificate is not a server certificate: only key match and dates matter.
    const relevant = check.errors.filter((e) => !/server name|SAN/i.test(e));
    return [
      ...relevant.map((e) =>
        problem(
          licence.repoCertificateFile,
          key,
          `NGINX Plus licence: ${e}`,
          'download a current nginx-repo.crt/.key pair from MyF5',
          'error',
        ),
      ),
      ...check.warnings
        .filter((w) => /expire/i.test(w))
        .map((w) =>
          problem(
            licence.repoCertificateFile,
            key,
            `NGINX Plus licence: ${w}`,
            'renew the NGINX Plus subscription',
            'warning',
          ),
        ),
    ];
  } catch (err) {
    return [
      problem(
        licence.repoCertificateFile,
        key,
        (err as Error).message,
        'check nginx_plus_repo_cert and nginx_plus_repo_key',
        'error',
      ),
    ];
  }
}
