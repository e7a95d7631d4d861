import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/load-inventory.js';

const root = join(import.meta.dirname, '../../../inventories');
const files = [
  ...readdirSync(root)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(root, f)),
  join(root, 'with-group-vars/inventory.yml'),
];
const env = { HOME: '/nonexistent', APIM_BECOME_PASSWORD: 'example-only' };

describe('example inventories', () => {
  it('include every documented example', () => {
    const names = files.map((f) => f.slice(root.length + 1)).sort();
    expect(names).toEqual(
      [
        'active-active.yml',
        'distributed-2.6.yml',
        'distributed-4x-keymanager.yml',
        'distributed-4x.yml',
        'gateway-cluster-3x.yml',
        'ha-control-plane-4x.yml',
        'ha-gateway-4x.yml',
        'ha-gateway-multi-manager.yml',
        'ha-gateway.yml',
        'ha-keymanager.yml',
        'ha-publisher.yml',
        'ha-store.yml',
        'ha-traffic-manager-3x.yml',
        'ha-traffic-manager-4x.yml',
        'production.yml',
        'simple-scalable-4x.yml',
        'single-node.yml',
        'with-group-vars/inventory.yml',
      ].sort(),
    );
  });

  it.each(files.map((f) => [f.slice(root.length + 1), f]))(
    '%s loads without errors or warnings',
    (_name, file) => {
      const { inventory, diagnostics } = loadInventory(file, { env });
      expect(diagnostics).toEqual([]);
      expect(inventory!.loadBalancers.length).toBeGreaterThan(0);
      for (const lb of inventory!.loadBalancers) {
        expect(lb.host.connection.host).toMatch(/^198\.51\.100\.\d+$/);
        for (const backends of Object.values(lb.deployment.nodes)) {
          for (const b of backends) expect(b.address).toMatch(/^192\.0\.2\.\d+$/);
        }
      }
    },
  );

  it('shape the distributed 4.x deployment as the docs describe', () => {
    const { inventory } = loadInventory(join(root, 'distributed-4x.yml'), { env });
    const d = inventory!.loadBalancers[0]!.deployment;
    expect(d.version).toBe('4.x');
    expect(Object.keys(d.nodes).sort()).toEqual(['control_plane', 'gateway', 'traffic_manager']);
    expect(d.nodes.traffic_manager!.map((b) => b.name)).toEqual(['tm1', 'tm2']);
    expect(d.hostnames.mgtgw).toBe('gwm.am.wso2.com');
  });

  it('keep the HA gateway roles apart (3.x)', () => {
    const { inventory } = loadInventory(join(root, 'ha-gateway.yml'), { env });
    const d = inventory!.loadBalancers[0]!.deployment;
    expect(d.nodes.gateway_manager!.map((b) => b.name)).toEqual(['gw-manager']);
    expect(d.nodes.gateway!.map((b) => b.name)).toEqual(['gw-worker1', 'gw-worker2']);
    expect(d.hostnames.mgtgw).toBe('mgtgw.am.wso2.com');
    expect(d.extras.passthrough).toBe(true);
  });

  it('give the same address with a port offset to two nodes (ha-store)', () => {
    const { inventory } = loadInventory(join(root, 'ha-store.yml'), { env });
    expect(inventory!.loadBalancers[0]!.deployment.nodes.devportal).toEqual([
      { name: 'devportal1', address: '192.0.2.50', portOffset: 0 },
      { name: 'devportal2', address: '192.0.2.50', portOffset: 1 },
    ]);
  });

  it('cover every layout of docs/inventory.md', () => {
    const layout = (file: string) => {
      const d = loadInventory(join(root, file), { env }).inventory!.loadBalancers[0]!.deployment;
      return { version: d.version, pattern: d.pattern, roles: Object.keys(d.nodes).sort() };
    };
    expect(layout('simple-scalable-4x.yml')).toEqual({
      version: '4.x',
      pattern: 'simple-scalable',
      roles: ['all_in_one', 'gateway'],
    });
    expect(layout('distributed-4x-keymanager.yml').roles).toEqual([
      'control_plane',
      'gateway',
      'keymanager',
      'traffic_manager',
    ]);
    expect(layout('ha-traffic-manager-3x.yml')).toEqual({
      version: '3.x',
      pattern: 'distributed',
      roles: ['traffic_manager'],
    });
    expect(layout('gateway-cluster-3x.yml').roles).toEqual(['gateway']);
    expect(layout('distributed-2.6.yml').roles).toContain('traffic_manager');
  });

  it('show every production setting (production.yml)', () => {
    const d = loadInventory(join(root, 'production.yml'), { env }).inventory!.loadBalancers[0]!.deployment;
    expect(d.upstreamTls).toMatchObject({ verify: true, caFile: join(root, 'nodes-ca.pem') });
    expect(d.sites.gw.clientMaxBodySize).toBe('200m');
    expect(d.sites.cp.clientMaxBodySize).toBe('20m');
    expect(d.adminAllow).toEqual(['10.20.0.0/16']);
    expect(d.proxyContextPath).toBe('/apim');
    expect(d.statusPort).toBe(8081);
    expect(d.extras.websocketTimeout).toBe('2h');
  });
});
