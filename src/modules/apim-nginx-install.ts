import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { LoadBalancer, NginxEdition } from '../domain/types.js';
import type { InstallSpec } from '../remote/index.js';
import { defineModule, failure, nothingToDo, type Change } from './contract.js';
import { notALoadBalancer, planLoadBalancer } from './lb-plan.js';

/** The vendor's nginx.org signing key, pinned (provisioning-lessons: never trust a key by URL alone). */
export const NGINX_ORG_KEY_FINGERPRINT = '8540A6F18833A80E9C1653A42FD21310B49F6B46';

function installChanges(lb: LoadBalancer, edition: NginxEdition): Change[] {
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
 * `apim_nginx_install`: NGINX Community or Plus, as the pattern's edition rule decides (or as the
 * task forces). An nginx of the right edition already installed is left alone, whatever its
 * source, so repeated runs change nothing. The edition rule's warnings (the ip_hash fallback) are
 * reported once, by apim_lb_config, which plans with the nginx actually installed.
 */
export const apimNginxInstall = defineModule({
  name: 'apim_nginx_install',
  summary: "NGINX Community or Plus, as the deployment pattern's edition rule decides.",
  runs: 'immediate',
  transaction: 'nginx',
  args: (t) =>
    z.strictObject({
      edition: t(z.enum(['auto', 'oss', 'plus']))
        .default('auto')
        .describe('auto (the edition rule), oss or plus'),
    }),
  plan(ctx, { edition: choice }) {
    const lb = ctx.loadBalancer;
    const lbPlan = planLoadBalancer(ctx);
    if (!lb || !lbPlan) return failure(notALoadBalancer(ctx.host.name));
    const { edition, reasons } =
      choice === 'auto'
        ? lbPlan.decision
        : { edition: choice, reasons: [`edition forced to ${choice} by the task`] };
    const installed = ctx.facts.nginx;
    if (installed && (installed.plus ? 'plus' : 'oss') === edition) return nothingToDo();
    if (edition === 'plus' && !lb.plusLicence)
      return failure('NGINX Plus is required but no licence (nginx_plus_repo_cert/key) is given');
    const manager = ctx.facts.packageManager;
    if (!manager) return failure('no supported package manager (apt, dnf, yum) on this host');
    const licence = edition === 'plus' ? lb.plusLicence : undefined;
    const spec: InstallSpec = {
      edition,
      packageManager: manager,
      os: ctx.facts.os,
      ossSource: lb.install.ossSource,
      ...(lb.install.repoUrl ? { repoUrl: lb.install.repoUrl } : {}),
      ...(lb.install.signingKeyFile
        ? { signingKeyArmored: readFileSync(lb.install.signingKeyFile, 'utf8') }
        : {}),
      // The validated, normalised fingerprint: the raw variable may hold spaces and lower case.
      signingKeyFingerprint: lb.install.signingKeyFingerprint ?? NGINX_ORG_KEY_FINGERPRINT,
      ...(lb.install.repoCaFile ? { repoCaPem: readFileSync(lb.install.repoCaFile, 'utf8') } : {}),
      ...(licence
        ? {
            plus: {
              repoCertPem: readFileSync(licence.repoCertificateFile, 'utf8'),
              repoKeyPem: readFileSync(licence.repoKeyFile, 'utf8'),
              ...(licence.jwtFile ? { jwt: readFileSync(licence.jwtFile, 'utf8').trim() } : {}),
              keepRepoCredentials: licence.keepRepoCredentials,
            },
          }
        : {}),
      packageName: edition === 'plus' ? 'nginx-plus' : 'nginx',
      startAfterInstall: false,
    };
    return {
      changes: installChanges(lb, edition),
      actions: [{ kind: 'install', spec }],
      message: reasons.join(' '),
    };
  },
});
