import { describe, expect, it } from 'vitest';
import {
  expandHostPattern,
  expandHostRange,
  HostRangeError,
  parseAddress,
} from '../../../src/inventory/host-pattern.js';

describe('host keys as Ansible reads them', () => {
  it.each([
    ['lb1', { host: 'lb1' }],
    ['lb1:2222', { host: 'lb1', port: 2222 }],
    ['10.0.0.1:22', { host: '10.0.0.1', port: 22 }],
    ['[2001:db8::1]:2200', { host: '2001:db8::1', port: 2200 }],
    ['2001:db8::1', { host: '2001:db8::1' }],
    ['web[01:03]:2222', { host: 'web[01:03]', port: 2222 }],
    ['bad name', undefined],
    ['trailing-', undefined],
    // Plain ASCII names take a shorter rule than the Unicode one; both must agree.
    ['trailing_', undefined],
    ['_', undefined],
    ['lb-1.example_site.com', { host: 'lb-1.example_site.com' }],
    ['lb1..example.com', undefined],
    ['lb1.-x', undefined],
    ['_lb.A9', { host: '_lb.A9' }],
    ['équilibreur-1.example', { host: 'équilibreur-1.example' }],
    ['lb١', { host: 'lb١' }],
    ['lb1.', undefined],
  ])('parse_address(%j)', (text, expected) => {
    expect(parseAddress(text)).toEqual(expected);
  });

  it('expands ranges with padding, steps, letters and several ranges', () => {
    expect(expandHostRange('web[01:03]')).toEqual(['web01', 'web02', 'web03']);
    expect(expandHostRange('app[1:9:4]')).toEqual(['app1', 'app5', 'app9']);
    expect(expandHostRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostRange('h[1:2]-[x:y]')).toEqual(['h1-x', 'h1-y', 'h2-x', 'h2-y']);
    expect(expandHostRange('n[:2]')).toEqual(['n0', 'n1', 'n2']);
    expect(expandHostPattern('web[1:2]:2200')).toEqual({ names: ['web1', 'web2'], port: 2200 });
  });

  it('refuses malformed and runaway ranges', () => {
    expect(() => expandHostRange('web[01:5]')).toThrow(HostRangeError);
    expect(() => expandHostRange('web[c:a]')).toThrow('begin <= end');
    expect(() => expandHostRange('web[1:]')).toThrow('end value');
    expect(() => expandHostRange('web[1:10000000]')).toThrow('more than');
  });
});
