import { readFileSync } from 'node:fs';
import type { NginxEdition } from '../../domain/types.js';
import { installScript, parseInstallResult, type InstallSpec } from '../../remote/index.js';
import { gatherFacts } from '../gather-facts.js';
import type { HostSession } from '../host-session.js';
import { planLoadBalancer } from '../lb-plan.js';
import { runPrivateScript } from '../remote-run.js';
import type { Change } from '../types.js';
import { failed, outcome, type ModuleDefinition } from './module.js';

/** The vendor's nginx.org signing key, pinned (provisioning-lessons: never trust a key by URL alone). */
export const NGINX_ORG_KEY_FINGERPRINT = '8540A6F18833A80E9C1653A42FD21310B49F6B46';

/**
 * The edition the pattern rule asks for. Its warnings (the ip_hash fallback) are reported once, by
 * the configuration task, which plans with the nginx version actually installed.
 */
function wantedEdition(
  session: HostSession,
  override: unknown,
): { edition: NginxEdition; reasons: string[] } {
  if (override === 'oss' || override === 'plus') {
    return { edition: override, reasons: [`edition forced to ${override} by the task`] };
  }
  const { decision } = planLoadBalancer(session);
  return { edition: decision.edition, reasons: decision.reasons };
}

function installChanges(session: HostSession, edition: NginxEdition): Change[] {
  const lb = session.loadBalancer!;
  const changes: Change[] = [];
  if (edition === 'plus') {
    changes.push({
      kind: 'repository',
      action: 'create',
      target: 'nginx-plus',
      summary: `NGINX Plus repository (client certificate) ${lb.install.repoUrl ?? 'https://pkgs.nginx.com/plus'}`,
    });
  } else if (lb.install.ossSource === 'nginx.org') {
    changes.push({
      kind: 'repository',
      action: 'create',
      target: 'nginx.org',
      summary: `nginx.org repository ${lb.install.repoUrl ?? 'https://nginx.org/packages'} (signed-by, pinned)`,
    });
  }
  const pkg = edition === 'plus' ? 'nginx-plus' : 'nginx';
  changes.push({ kind: 'package', action: 'install', target: pkg, summary: `install ${pkg}` });
  return changes;
}

/**
 * Installs NGINX Community or Plus, as the pattern's edition rule decides. An nginx of the right
 * edition already installed is left alone (whatever its source), so repeated runs change nothing.
 */
export const apimNginxInstall: ModuleDefinition = {
  staged: false,
  async run({ session, args }) {
    const lb = session.loadBalancer;
    if (!lb) return failed(`${session.host.name} is not in the loadbalancers group`);
    const { edition, reasons } = wantedEdition(session, args.edition);
    const installed = session.facts.nginx;
    if (installed && (installed.plus ? 'plus' : 'oss') === edition) return outcome([]);
    if (edition === 'plus' && !lb.plusLicence)
      return failed('NGINX Plus is required but no licence (nginx_plus_repo_cert/key) is given');
    const manager = session.facts.packageManager;
    if (!manager) return failed('no supported package manager (apt, dnf, yum) on this host');
    const changes = installChanges(session, edition);
    if (session.check) return outcome(changes, [], reasons.join(' '));

    const spec: InstallSpec = {
      edition,
      packageManager: manager,
      os: session.facts.os,
      ossSource: lb.install.ossSource,
      ...(lb.install.repoUrl ? { repoUrl: lb.install.repoUrl } : {}),
      ...(lb.install.signingKeyFile
        ? { signingKeyArmored: readFileSync(lb.install.signingKeyFile, 'utf8') }
        : {}),
      // The validated, normalised fingerprint: the raw variable may hold spaces and lower case.
      signingKeyFingerprint: lb.install.signingKeyFingerprint ?? NGINX_ORG_KEY_FINGERPRINT,
      ...(lb.install.repoCaFile ? { repoCaPem: readFileSync(lb.install.repoCaFile, 'utf8') } : {}),
      ...(edition === 'plus' && lb.plusLicence
        ? {
            plus: {
              repoCertPem: readFileSync(lb.plusLicence.repoCertificateFile, 'utf8'),
              repoKeyPem: readFileSync(lb.plusLicence.repoKeyFile, 'utf8'),
              ...(lb.plusLicence.jwtFile ? { jwt: readFileSync(lb.plusLicence.jwtFile, 'utf8').trim() } : {}),
              keepRepoCredentials: lb.plusLicence.keepRepoCredentials,
            },
          }
        : {}),
      packageName: edition === 'plus' ? 'nginx-plus' : 'nginx',
      startAfterInstall: false,
    };
    const out = await runPrivateScript(session.conn, installScript(spec), 'install-nginx.sh', session.become);
    const result = parseInstallResult(out.stdout, out.stderr);
    if (!result.ok) return failed(`installing ${spec.packageName} failed:\n${result.message}`);
    // Everything after this renders for the nginx that is now on the host.
    const paths = Object.keys(session.facts.files);
    session.facts = await gatherFacts(session.conn, paths, session.become);
    return outcome(changes, [], `${result.message}. ${reasons.join(' ')}`);
  },
};
