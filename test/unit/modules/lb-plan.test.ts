/**
 * Before the install task has run (check mode on a bare host), the configuration is planned for
 * the nginx the install will bring: apt's candidate for the distribution, nginx.org's current
 * stable for nginx_oss_source: nginx.org (which has the open-source sticky cookie), Plus for Plus.
 * Check mode and the real apply then write the same file.
 */
import { describe, expect, it } from 'vitest';
import { planLoadBalancer } from '../../../src/modules/index.js';
import { FakeHostConnection } from '../engine/support/fake-connection.js';
import { FakeHost } from '../engine/support/fake-host.js';
import {
  inventoryYaml,
  loadTestInventory,
  openSession,
  runOptions,
} from '../engine/support/engine-fixtures.js';

/** An active-active inventory (sticky portals), planned on the given fake host. */
async function plan(host: FakeHost, vars: Record<string, unknown> = {}) {
  const yaml = inventoryYaml(['lb1'], vars)
    .replace('apim_pattern: single-node', 'apim_pattern: active-active')
    .concat('        apim2:\n          ansible_host: 192.0.2.11\n');
  const inventory = loadTestInventory(yaml);
  const session = await openSession(
    inventory,
    'lb1',
    new FakeHostConnection(host),
    runOptions({ check: true }),
  );
  const planned = planLoadBalancer(session);
  if (!planned) throw new Error('lb1 is a load balancer of the inventory');
  return planned;
}

describe('planning before nginx is installed', () => {
  it('follows apt’s candidate for the distribution’s nginx', async () => {
    const p = await plan(new FakeHost('lb1'));
    expect(p.nginxVersion).toBe('1.22.1');
    expect(p.versionKnown).toBe(true);
    expect(p.decision.sticky).toBe('ip_hash');
  });

  it('follows nginx.org’s release, not the distribution’s candidate, for nginx_oss_source: nginx.org', async () => {
    const p = await plan(new FakeHost('lb1'), { nginx_oss_source: 'nginx.org' });
    expect(p.nginxVersion).toBe('1.30.0');
    // nginx.org's release is what this version of the tool expects, not what the host said.
    expect(p.versionKnown).toBe(false);
    expect(p.decision.sticky).toBe('sticky-cookie');
    expect(p.rendered.content).toContain('sticky learn');
  });

  it('follows the nginx on the host once there is one of the edition wanted', async () => {
    const p = await plan(FakeHost.withNginx('lb1', '1.26.3'), { nginx_oss_source: 'nginx.org' });
    expect(p.nginxVersion).toBe('1.26.3');
    expect(p.versionKnown).toBe(true);
    expect(p.decision.sticky).toBe('ip_hash');
  });
});

describe('rendering once per load balancer and facts', () => {
  it('gives every module of a host the same (frozen) file, and other facts their own', async () => {
    const inventory = loadTestInventory(inventoryYaml(['lb1']));
    const host = FakeHost.withNginx('lb1', '1.26.3');
    const session = await openSession(inventory, 'lb1', new FakeHostConnection(host), runOptions());
    const first = planLoadBalancer(session)!;
    expect(planLoadBalancer(session)!.rendered).toBe(first.rendered);
    expect(Object.isFrozen(first.rendered.serverNames)).toBe(true);
    expect(first.rendered.content).toContain('listen [::]:443');

    session.facts = { ...session.facts, ipv6: false };
    const withoutIpv6 = planLoadBalancer(session)!;
    expect(withoutIpv6.rendered).not.toBe(first.rendered);
    expect(withoutIpv6.rendered.content).not.toContain('listen [::]:443');
  });
});

describe('rendering once per deployment', () => {
  it('shares one file between load balancers with the same deployment, not with another one', async () => {
    const yaml = inventoryYaml(['lb1', 'lb2', 'lb3']).replace(
      '        lb3:\n          ansible_host: 127.0.0.4\n',
      '        lb3:\n          ansible_host: 127.0.0.4\n          apim_conf_file: other.conf\n',
    );
    const inventory = loadTestInventory(yaml);
    const planOf = async (name: string, version = '1.26.3') => {
      const host = FakeHost.withNginx(name, version);
      const session = await openSession(inventory, name, new FakeHostConnection(host), runOptions());
      return planLoadBalancer(session)!;
    };
    const [lb1, lb2, lb3] = [await planOf('lb1'), await planOf('lb2'), await planOf('lb3')];
    const [d1, d2, d3] = inventory.loadBalancers.map((lb) => lb.deployment);
    // The same deployment is one object (loadInventory), another deployment its own.
    expect(d2).toBe(d1);
    expect(d3).not.toBe(d1);
    expect(lb2.rendered).toBe(lb1.rendered);
    expect(lb3.rendered).not.toBe(lb1.rendered);
    // The edition decision too, frozen as the rendering is.
    expect(lb2.decision).toBe(lb1.decision);
    expect(Object.isFrozen(lb1.decision.reasons)).toBe(true);
    // Another nginx version on a host of the same deployment is decided for itself.
    expect((await planOf('lb2', '1.30.0')).decision).not.toBe(lb1.decision);
    expect([lb1.rendered.path, lb3.rendered.path]).toEqual([
      '/etc/nginx/conf.d/apim.conf',
      '/etc/nginx/conf.d/other.conf',
    ]);
  });
});
