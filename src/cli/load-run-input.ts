import { readFileSync } from 'node:fs';
import { checkCertificateFiles } from '../certs/index.js';
import type { Secret } from '../domain/secret.js';
import type { Host, Inventory, LoadBalancer } from '../domain/types.js';
import { type Diagnostic, errorsOf } from '../input/diagnostics.js';
import { loadInventory, type LoadInventoryOptions } from '../inventory/load-inventory.js';
import { HostPatternError, selectHosts } from '../inventory/select-hosts.js';
import { renderConfig } from '../patterns/index.js';
import {
  checkUndefinedVariables,
  defaultPlaybookPath,
  loadPlaybook,
  type Play,
  type Playbook,
} from '../playbook/index.js';
import { UsageError } from './usage-error.js';

export interface RunInput {
  inventory?: Inventory;
  playbook?: Playbook;
  diagnostics: Diagnostic[];
  /** Values decrypted from vaults: the output must never show them. */
  secrets: Secret[];
  /** Per play (in order), the hosts it runs on after --limit. */
  hostsOfPlays: Host[][];
}

export interface RunInputRequest {
  sources: readonly string[];
  playbook?: string;
  options: LoadInventoryOptions;
  /** --limit patterns (an @file already read). */
  limit?: readonly string[];
}

/**
 * Everything a run needs, validated before any host is contacted: inventory, playbook, the hosts
 * of every play (a play whose hosts match nothing is an error), undefined template variables, the
 * connection settings of every host a play reaches, the certificate files and the Plus licence.
 * A --limit that names nothing, or leaves no host, is a usage error (thrown).
 */
export function loadRunInput(request: RunInputRequest): RunInput {
  const playbookFile = request.playbook ?? defaultPlaybookPath();
  const inv = loadInventory(request.sources, request.options);
  const diagnostics = [...inv.diagnostics];
  const pb = loadPlaybook(playbookFile);
  diagnostics.push(...pb.diagnostics);
  let hostsOfPlays: Host[][] = [];
  if (inv.inventory && pb.playbook) {
    const inventory = inv.inventory;
    hostsOfPlays = pb.playbook.plays.map((play) => hostsOfPlay(inventory, play, diagnostics));
    if (request.limit && request.limit.length > 0)
      hostsOfPlays = applyLimit(inventory, request.limit, hostsOfPlays);
    // Connection settings matter for the hosts a play reaches (load balancers are always checked).
    const reached = new Set(hostsOfPlays.flat().map((h) => h.name));
    for (const name of reached) diagnostics.push(...(inv.deferred.get(name) ?? []));
    const varsByHost = new Map([...inventory.hosts.values()].map((h) => [h.name, h.vars]));
    diagnostics.push(...checkUndefinedVariables(pb.playbook, varsByHost));
  }
  if (inv.inventory) {
    for (const lb of inv.inventory.loadBalancers)
      diagnostics.push(...checkTlsInputs(lb), ...checkPlusLicence(lb));
  }
  const ok = errorsOf(diagnostics).length === 0;
  return {
    diagnostics,
    secrets: inv.secrets,
    hostsOfPlays,
    ...(ok && inv.inventory ? { inventory: inv.inventory } : {}),
    ...(ok && pb.playbook ? { playbook: pb.playbook } : {}),
  };
}

/** The hosts a play's `hosts:` names; a pattern that names nothing is an error at the play. */
function hostsOfPlay(inventory: Inventory, play: Play, diagnostics: Diagnostic[]): Host[] {
  const all = [...inventory.hosts.values()];
  // A templated pattern is only known at run time.
  if (play.hosts.includes('{{')) return all;
  try {
    return selectHosts(inventory, [play.hosts], all);
  } catch (err) {
    if (!(err instanceof HostPatternError)) throw err;
    diagnostics.push({
      file: play.loc.file,
      line: play.loc.line,
      column: play.loc.column,
      key: 'hosts',
      message: `play "${play.name}": hosts ${err.message}`,
      fix: `name a group or host of the inventory (${err.fix})`,
      severity: 'error',
    });
    return [];
  }
}

function applyLimit(inventory: Inventory, limit: readonly string[], plays: Host[][]): Host[][] {
  let chosen: Set<string>;
  try {
    chosen = new Set(selectHosts(inventory, limit, [...inventory.hosts.values()]).map((h) => h.name));
  } catch (err) {
    if (!(err instanceof HostPatternError)) throw err;
    throw new UsageError(`--limit: ${err.message} (${err.fix})`);
  }
  const limited = plays.map((hosts) => hosts.filter((h) => chosen.has(h.name)));
  if (limited.every((hosts) => hosts.length === 0)) {
    throw new UsageError(
      `--limit ${limit.join(',')} leaves no host to run on: it selects ${[...chosen].join(', ') || 'nothing'}, which no play targets`,
    );
  }
  return limited;
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
