import { describe, expect, it } from 'vitest';
import { selectHosts } from '../../../src/inventory/load-inventory.js';
import { loadText } from './helpers.js';

const { inventory } = loadText(`
  all:
    vars:
      apim_pattern: active-active
    hosts:
      spare:
        ansible_host: 198.51.100.9
    children:
      loadbalancers:
        children:
          site_a:
            hosts:
              lb-a1:
                ansible_host: 198.51.100.1
              lb-a2:
                ansible_host: 198.51.100.2
          site_b:
            hosts:
              lb-b1:
                ansible_host: 198.51.100.3
      canary:
        hosts:
          lb-a2:
          lb-b1:
      apim_all_in_one:
        hosts:
          apim1:
            ansible_host: 192.0.2.1
          apim2:
            ansible_host: 192.0.2.2
`);
const inv = inventory!;
const lbs = inv.loadBalancers.map((l) => l.host);
const names = (patterns: string[] | undefined) => selectHosts(inv, patterns, lbs).map((h) => h.name);

describe('selectHosts (--limit)', () => {
  it('loaded the inventory', () => {
    expect(lbs.map((h) => h.name)).toEqual(['lb-a1', 'lb-a2', 'lb-b1']);
  });

  it('returns every candidate without patterns', () => {
    expect(names(undefined)).toEqual(['lb-a1', 'lb-a2', 'lb-b1']);
    expect(names([])).toEqual(['lb-a1', 'lb-a2', 'lb-b1']);
  });

  it('selects by host and group name, keeping candidate order', () => {
    expect(names(['lb-b1'])).toEqual(['lb-b1']);
    expect(names(['site_b', 'lb-a1'])).toEqual(['lb-a1', 'lb-b1']);
    expect(names(['loadbalancers'])).toEqual(['lb-a1', 'lb-a2', 'lb-b1']);
    expect(names(['all'])).toEqual(['lb-a1', 'lb-a2', 'lb-b1']);
  });

  it('splits on commas and colons', () => {
    expect(names(['lb-a1,lb-b1'])).toEqual(['lb-a1', 'lb-b1']);
    expect(names(['lb-a1:lb-b1'])).toEqual(['lb-a1', 'lb-b1']);
  });

  it('matches * wildcards on host and group names', () => {
    expect(names(['lb-a*'])).toEqual(['lb-a1', 'lb-a2']);
    expect(names(['site_*'])).toEqual(['lb-a1', 'lb-a2', 'lb-b1']);
    expect(names(['*'])).toEqual(['lb-a1', 'lb-a2', 'lb-b1']);
    expect(names(['~lb-.1'])).toEqual(['lb-a1', 'lb-b1']);
  });

  it('excludes with ! and intersects with &', () => {
    expect(names(['loadbalancers:!canary'])).toEqual(['lb-a1']);
    expect(names(['!site_a'])).toEqual(['lb-b1']);
    expect(names(['site_a:&canary'])).toEqual(['lb-a2']);
    expect(names(['loadbalancers,&canary,!lb-b1'])).toEqual(['lb-a2']);
  });

  it('never selects hosts that are not candidates', () => {
    expect(names(['apim_all_in_one'])).toEqual([]);
  });

  it('knows the implicit group "ungrouped" of Ansible', () => {
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['spare']);
    expect(selectHosts(inv, ['ungrouped'], [...inv.hosts.values()]).map((h) => h.name)).toEqual(['spare']);
  });

  it('throws for a pattern that matches nothing', () => {
    expect(() => names(['lb-c1'])).toThrow(/"lb-c1" matches no host or group/);
    expect(() => names(['!nosuchgroup'])).toThrow(/"nosuchgroup"/);
    expect(() => names(['zz*'])).toThrow(/"zz\*"/);
    expect(() => names(['~('])).toThrow(/not a valid regular expression/);
  });
});
