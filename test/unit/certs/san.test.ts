import { describe, expect, it } from 'vitest';
import { CertificateError, hostnameCovered, normalizeHostnames } from '../../../src/certs/index.js';

describe('hostnameCovered', () => {
  const sans = ['*.am.wso2.com', 'api.example.org', '10.0.0.5'];

  it('matches exact names case-insensitively and ignores a trailing dot', () => {
    expect(hostnameCovered(sans, 'api.example.org')).toBe(true);
    expect(hostnameCovered(sans, 'API.Example.ORG.')).toBe(true);
    expect(hostnameCovered(sans, 'www.example.org')).toBe(false);
  });

  it('lets a wildcard stand for exactly one left-most label (RFC 6125)', () => {
    expect(hostnameCovered(sans, 'gw.am.wso2.com')).toBe(true);
    expect(hostnameCovered(sans, 'a.b.am.wso2.com')).toBe(false);
    expect(hostnameCovered(sans, 'am.wso2.com')).toBe(false);
    expect(hostnameCovered(sans, 'gw.am.wso2.com.evil.com')).toBe(false);
    expect(hostnameCovered(['gw.*.wso2.com'], 'gw.am.wso2.com')).toBe(false);
  });

  it('matches IP addresses exactly, never by wildcard', () => {
    expect(hostnameCovered(sans, '10.0.0.5')).toBe(true);
    expect(hostnameCovered(sans, '10.0.0.6')).toBe(false);
    expect(hostnameCovered(['*.0.0.5'], '10.0.0.5')).toBe(false);
  });
});

describe('normalizeHostnames', () => {
  it('keeps order, lower-cases and removes duplicates', () => {
    expect(normalizeHostnames(['GW.am.wso2.com', 'api.am.wso2.com', 'gw.am.wso2.com.'])).toEqual([
      'gw.am.wso2.com',
      'api.am.wso2.com',
    ]);
  });

  it('names every invalid entry', () => {
    expect(() => normalizeHostnames(['ok.example.com', 'under_score.com', '-dash.com', 'a..b'])).toThrow(
      /"under_score\.com", "-dash\.com", "a\.\.b"/,
    );
    expect(() => normalizeHostnames(['*.com'])).toThrow(CertificateError);
    expect(() => normalizeHostnames(['*foo.example.com'])).toThrow(CertificateError);
  });
});
