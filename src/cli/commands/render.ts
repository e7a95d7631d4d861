import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { LoadBalancer } from '../../domain/types.js';
import { decideEdition, EXPECTED_NGINX, NGINX_FEATURES, renderConfig } from '../../patterns/index.js';
import { EXIT } from '../../report/index.js';
import { offlineLoadBalancers, offlineOptions, type OfflineArgs } from '../offline-load-balancers.js';

interface Args extends OfflineArgs {
  'nginx-version'?: string;
  out?: string;
}

/** The conf.d file a load balancer gets, for the nginx version given (what `apply` would write). */
export function renderFor(lb: LoadBalancer, nginxVersion: string) {
  const decision = decideEdition(lb.deployment, lb.editionChoice, {
    plusLicenceGiven: lb.plusLicence !== undefined,
    ossNginxVersion: nginxVersion,
  });
  const rendered = renderConfig(lb.deployment, {
    edition: decision.edition,
    nginxVersion,
    ...(decision.sticky ? { sticky: decision.sticky } : {}),
    confPrefix: '/etc/nginx',
    // No host to ask: nginx_listen_ipv6 auto renders the [::] listeners, as most hosts have IPv6.
    ipv6: lb.listenIpv6 !== false,
  });
  return { decision, rendered };
}

/**
 * Without --nginx-version: the nginx `apply` would most likely find or install, and what it would
 * write differently on another one. The version decides `http2 on` and, on Community, whether the
 * sticky upstreams get the cookie or ip_hash, so render and apply must never differ silently.
 */
export function assumedNginx(lb: LoadBalancer): { version: string; note: string } {
  const fromSource = lb.install.ossSource === 'nginx.org' ? EXPECTED_NGINX.nginxOrg : EXPECTED_NGINX.distro;
  const decision = decideEdition(lb.deployment, lb.editionChoice, {
    plusLicenceGiven: lb.plusLicence !== undefined,
    ossNginxVersion: fromSource,
  });
  const host = lb.host.name;
  const ipv6 =
    lb.listenIpv6 === 'auto'
      ? ' nginx_listen_ipv6 is auto: the [::] listeners are rendered; apply leaves them out on a host without IPv6.'
      : '';
  const give = 'Give --nginx-version to render for another one.';
  if (decision.edition === 'plus') {
    return {
      version: EXPECTED_NGINX.plus,
      note: `${host}: rendered for NGINX Plus R33 (nginx 1.27.2) as no --nginx-version was given: the Plus repository serves its current release (R33 or later; the licence JWT needs R33). apply renders for the release it installs or finds.${ipv6} ${give}`,
    };
  }
  if (lb.install.ossSource === 'nginx.org') {
    return {
      version: fromSource,
      note: `${host}: rendered for nginx ${fromSource} as no --nginx-version was given: nginx_oss_source: nginx.org installs nginx.org's current stable release, which has the open-source sticky cookie (>= ${NGINX_FEATURES.ossSticky}). An nginx already on the host is kept, and apply renders for it instead (ip_hash before ${NGINX_FEATURES.ossSticky}).${ipv6} ${give}`,
    };
  }
  return {
    version: fromSource,
    note: `${host}: rendered for nginx ${fromSource} as no --nginx-version was given: the oldest nginx a supported distribution ships (Debian 12), whose syntax every later version accepts. apply renders for the nginx on the host: \`http2 on\` from ${NGINX_FEATURES.http2Directive}${
      decision.sticky === 'ip_hash'
        ? `, and the open-source sticky cookie from ${NGINX_FEATURES.ossSticky} where this file has ip_hash`
        : ''
    }.${ipv6} ${give}`,
  };
}

export function renderCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'render [inv]',
    describe: 'Print (or write) the nginx conf.d file each load balancer gets; contacts no host',
    builder: (y) =>
      offlineOptions(y)
        .option('nginx-version', {
          type: 'string',
          describe:
            'nginx version to render for (syntax, open-source sticky from 1.29.6); default: what the install source brings, said on stderr',
        })
        .option('out', { type: 'string', describe: 'write <out>/<host>/<file> instead of printing' }),
    handler: async (args) => {
      const given = args['nginx-version'];
      if (given !== undefined && !/^\d+\.\d+\.\d+$/.test(given)) {
        process.stderr.write(`--nginx-version must look like 1.22.1, not '${given}'\n`);
        return setCode(EXIT.USAGE);
      }
      const found = await offlineLoadBalancers(args);
      if (typeof found === 'number') return setCode(found);
      for (const lb of found.loadBalancers) {
        let nginxVersion = given;
        if (nginxVersion === undefined) {
          const assumed = assumedNginx(lb);
          process.stderr.write(`[NOTE] ${assumed.note}\n`);
          nginxVersion = assumed.version;
        }
        const { decision, rendered } = renderFor(lb, nginxVersion);
        for (const w of [...decision.warnings, ...rendered.warnings])
          process.stderr.write(`[WARNING] ${lb.host.name}: ${w}\n`);
        if (args.out) {
          const dir = join(args.out, lb.host.name);
          mkdirSync(dir, { recursive: true });
          const file = join(dir, lb.deployment.confFileName);
          writeFileSync(file, rendered.content);
          process.stderr.write(`${lb.host.name}: wrote ${file} (edition ${decision.edition})\n`);
        } else {
          process.stdout.write(
            `# ===== ${lb.host.name}: ${rendered.path} (edition ${decision.edition}) =====\n${rendered.content}`,
          );
        }
      }
      setCode(EXIT.OK);
    },
  };
}
