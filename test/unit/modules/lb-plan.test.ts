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
    expect(p.decision.sticky).toBe('ip_hash');
  });

  it('follows nginx.org’s release, not the distribution’s candidate, for nginx_oss_source: nginx.org', async () => {
    const p = await plan(new FakeHost('lb1'), { nginx_oss_source: 'nginx.org' });
    expect(p.nginxVersion).toBe('1.30.0');
    expect(p.decision.sticky).toBe('sticky-cookie');
    expect(p.rendered.content).toContain('sticky learn');
  });

  it('follows the nginx on the host once there is one of the edition wanted', async () => {
    const p = await plan(FakeHost.withNginx('lb1', '1.26.3'), { nginx_oss_source: 'nginx.org' });
    expect(p.nginxVersion).toBe('1.26.3');
    expect(p.decision.sticky).toBe('ip_hash');
  });
});
