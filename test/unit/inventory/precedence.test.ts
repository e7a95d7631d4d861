import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { diag, loadText } from './helpers.js';

const fixture = join(import.meta.dirname, '../../fixtures/inventory/precedence/inventory.yml');

describe('variable precedence', () => {
  const { inventory, diagnostics } = loadInventory(fixture, { env: {} });
  const vars = (host: string) => inventory!.hosts.get(host)!.vars;

  it('loads the fixture cleanly', () => {
    expect(diagnostics).toEqual([]);
  });

  it('lets host variables win over every group', () => {
    expect(vars('lb1').level).toBe('inline-host');
  });

  it('lets a host_vars folder win over the groups', () => {
    expect(vars('lb2').level).toBe('host-folder');
  });

  it('orders all < parent < child by depth, not by name', () => {
    expect(vars('apim1').level).toBe('inline-all');
    expect(vars('lb2').parent_only).toBe('inline-parent');
    expect(vars('lb3').level).toBe('inline-child');
    expect(vars('lb3').child_beats_parent_file).toBe('child');
    const lb = inventory!.loadBalancers.find((l) => l.host.name === 'lb2')!;
    expect(lb.host.groups.slice(0, 2)).toEqual(['all', 'loadbalancers']);
  });

  it('lets a group_vars file win over the inline vars of the same group', () => {
    expect(vars('apim1').from_all).toBe('file-all');
    expect(vars('apim1').all_file_only).toBe(true);
    expect(vars('lb1').child_inline_vs_file).toBe('file');
  });

  it('lets a host_vars file win over inline host variables', () => {
    expect(vars('lb1').host_inline_vs_file).toBe('file');
  });

  it('reads a group_vars folder in file name order', () => {
    expect(vars('lb1').folder_order).toBe('b');
    expect(vars('lb1').parent_folder).toBe('a');
  });

  it('merges a host listed in several groups: deeper groups win, then the later name (Ansible order)', () => {
    // a_site and b_site (depth 2) beat other_site (depth 1); b_site sorts after a_site.
    expect(vars('lb2').sibling).toBe('b_site');
    expect(inventory!.hosts.get('lb2')!.groups).toEqual(
      expect.arrayContaining(['all', 'loadbalancers', 'a_site', 'b_site', 'other_site']),
    );
    // listed three times, still one host and one load balancer
    expect(inventory!.loadBalancers.map((l) => l.host.name)).toEqual(['lb1', 'lb2', 'lb3']);
  });

  it('keeps direct hosts, children and parents per group', () => {
    expect(inventory!.groups.get('loadbalancers')).toEqual({
      name: 'loadbalancers',
      hosts: [],
      children: ['a_site', 'b_site'],
      parents: ['all'],
    });
    expect(inventory!.groups.get('a_site')!.hosts).toEqual(['lb1', 'lb2', 'lb3']);
  });

  it('accepts top-level groups without "all" as children of all', () => {
    const r = loadText(`
      loadbalancers:
        vars:
          apim_pattern: single-node
        hosts:
          lb1:
            ansible_host: 198.51.100.10
      apim_all_in_one:
        hosts:
          apim1:
            ansible_host: 192.0.2.10
    `);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.groups.get('all')!.children).toEqual([
      'ungrouped',
      'loadbalancers',
      'apim_all_in_one',
    ]);
    expect(r.inventory!.loadBalancers[0]!.deployment.nodes.all_in_one![0]!.address).toBe('192.0.2.10');
  });

  it('uses the later inline definition when a host is listed twice with variables', () => {
    const r = loadText(`
      all:
        vars:
          apim_pattern: single-node
        hosts:
          lb1:
            ansible_host: 198.51.100.99
            ansible_port: 2200
        children:
          loadbalancers:
            hosts:
              lb1:
                ansible_host: 198.51.100.10
          apim_all_in_one:
            hosts:
              apim1:
    `);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.connection).toMatchObject({ host: '198.51.100.10', port: 2200 });
    expect(r.inventory!.loadBalancers[0]!.deployment.nodes.all_in_one![0]!.address).toBe('apim1');
  });

  it('warns about a group_vars file that matches no group', () => {
    const r = loadText(
      `
      all:
        vars:
          apim_pattern: single-node
        children:
          loadbalancers:
            hosts:
              lb1:
          apim_all_in_one:
            hosts:
              apim1:
    `,
      { 'group_vars/loadbalancer.yml': 'apim_websocket: true\n' },
    );
    const d = diag(r.diagnostics, 'no group of that name');
    expect(d.severity).toBe('warning');
    expect(d.message).toContain('did you mean "loadbalancers"');
    expect(d.file).toBe(join(r.dir, 'group_vars/loadbalancer.yml'));
    expect(r.inventory).toBeDefined();
  });
});
