import { describe, expect, it } from 'vitest';
import { compareNginxVersions, nginxVersionAtLeast, parseNginxVersion } from '../../../src/patterns/index.js';

describe('nginx versions', () => {
  it('compares numerically, not as text', () => {
    expect(compareNginxVersions('1.9.0', '1.22.1')).toBeLessThan(0);
    expect(compareNginxVersions('1.22.1', '1.22.1')).toBe(0);
    expect(compareNginxVersions('1.30.0', '1.29.6')).toBeGreaterThan(0);
    expect(compareNginxVersions('2.0', '1.99.99')).toBeGreaterThan(0);
  });

  it('tolerates Plus suffixes and the nginx/ prefix', () => {
    expect(parseNginxVersion('1.25.3 (nginx-plus-r31)')).toEqual([1, 25, 3]);
    expect(parseNginxVersion('nginx/1.22.1')).toEqual([1, 22, 1]);
    expect(parseNginxVersion('1.26')).toEqual([1, 26, 0]);
    expect(nginxVersionAtLeast('1.25.3 (nginx-plus-r31)', '1.25.1')).toBe(true);
  });

  it('puts the boundary on the version itself', () => {
    expect(nginxVersionAtLeast('1.29.6', '1.29.6')).toBe(true);
    expect(nginxVersionAtLeast('1.29.5', '1.29.6')).toBe(false);
  });

  it('refuses text that is not a version', () => {
    expect(() => parseNginxVersion('latest')).toThrow(/not an nginx version/);
    expect(() => compareNginxVersions('', '1.0.0')).toThrow(RangeError);
  });
});
