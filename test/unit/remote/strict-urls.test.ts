/**
 * Issue 14: a URL that lands in a file on a host is one line of RFC 3986 characters, http(s),
 * with a host and no credentials: refused at the inventory edge (file:line) and again where the
 * file is generated (defence in depth). `new URL()` alone drops newlines and tabs silently.
 */
import { describe, expect, it } from 'vitest';
import { strictUrlProblem } from '../../../src/domain/url.js';
import { installScript, repositoryFiles, transactionScript } from '../../../src/remote/index.js';
import { lineOf, loadText, singleNodeWith } from '../inventory/helpers.js';
import { baseTransaction, installs } from './fixtures.js';

const INJECTED = 'https://mirror.example/debian bookworm nginx\ndeb [trusted=yes] http://evil.example/x';

describe('strictUrlProblem', () => {
  it.each([
    [INJECTED, 'control character'],
    ['https://mirror.example/deb\tian', 'control character'],
    ['https://mirror.example/a\r', 'control character'],
    ['https://mirror.example/a\u0085b', 'control character'],
    ['https://mirror.example/a b', 'whitespace'],
    ['https://mirror.example/a\u00a0b', 'whitespace'],
    ['https://mirror.example/"x', 'characters a URL does not'],
    ["https://mirror.example/'x", 'characters a URL does not'],
    ['https://mirror.example/é', 'characters a URL does not'],
    ['ftp://mirror.example/x', 'not an http:// or https://'],
    ['file:///etc/passwd', 'not an http:// or https://'],
    ['mirror.example/x', 'not an http:// or https://'],
    ['https://user:pw@mirror.example/x', 'user name or password'],
    ['https://user@mirror.example/x', 'user name or password'],
    ['https://mirror.example/x?gpgcheck=0', 'query string'],
    ['https://mirror.example/x#frag', 'fragment'],
    ['https://[zz]/x', 'not a valid URL'],
    ['', 'is empty'],
  ])('refuses %j (%s)', (url, problem) => {
    expect(strictUrlProblem(url)).toContain(problem);
  });

  it.each([
    'https://nginx.org/packages/debian',
    'http://127.0.0.1:8080/nginx/',
    'https://[::1]:8443/plus/debian',
    'https://mirror.example.com/a-b_c~d/%20e',
  ])('accepts %j', (url) => {
    expect(strictUrlProblem(url)).toBeUndefined();
  });

  it('accepts a query only where it is allowed (health checks)', () => {
    expect(strictUrlProblem('https://127.0.0.1/health?x=1', { query: true })).toBeUndefined();
    expect(strictUrlProblem('https://127.0.0.1/health?x=1\n', { query: true })).toContain('control');
  });
});

describe('nginx_repo_url at the inventory edge', () => {
  const inventory = (repoUrl: string) =>
    singleNodeWith({ nginx_oss_source: 'nginx.org', nginx_repo_url: repoUrl });

  it('refuses a value with a second line, naming file, line and key', () => {
    const text = inventory(INJECTED);
    const r = loadText(text);
    const d = r.diagnostics.find((x) => x.message.includes('nginx_repo_url'));
    expect(d).toMatchObject({ severity: 'error', line: lineOf(text, 'nginx_repo_url') });
    expect(d?.message).toContain('control character');
    expect(d?.file).toBe(r.file);
    expect(r.inventory?.loadBalancers[0]?.install.repoUrl).toBeUndefined();
  });

  it('refuses credentials in the URL and keeps a plain mirror', () => {
    expect(
      loadText(inventory('https://u:p@m.example/x'))
        .diagnostics.map((x) => x.message)
        .join(),
    ).toContain('user name or password');
    const ok = loadText(inventory('https://mirror.example.com/nginx'));
    expect(ok.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(ok.inventory?.loadBalancers[0]?.install.repoUrl).toBe('https://mirror.example.com/nginx');
  });
});

describe('generators refuse what the edge would have refused', () => {
  it('repository files (apt and yum) and the install program', () => {
    for (const name of ['apt-nginx-org', 'dnf-nginx-org', 'apt-plus', 'yum-plus']) {
      const spec = { ...installs[name]!, repoUrl: INJECTED };
      expect(() => repositoryFiles(spec), name).toThrow(/repository URL .* control character/);
      expect(() => installScript(spec), name).toThrow(/repository URL/);
    }
    const badKey = { ...installs['apt-nginx-org']!, signingKeyUrl: 'https://k.example/key\ngpgcheck=0' };
    expect(() => installScript(badKey)).toThrow(/signing key URL/);
    const badCodename = {
      ...installs['apt-nginx-org']!,
      os: { ...installs['apt-nginx-org']!.os, codename: 'x main\ndeb' },
    };
    expect(() => repositoryFiles(badCodename)).toThrow(/VERSION_CODENAME/);
  });

  it('the transaction health check', () => {
    const bad = (url: string, hostHeader?: string) => () =>
      transactionScript({ ...baseTransaction, healthCheck: { url, ...(hostHeader ? { hostHeader } : {}) } });
    expect(bad('https://127.0.0.1/\nx')).toThrow(/health check URL/);
    expect(bad('https://u:p@127.0.0.1/')).toThrow(/health check URL/);
    expect(bad('https://127.0.0.1/', 'gw.example\r\nX-Evil: 1')).toThrow(/host header/);
    expect(bad('https://127.0.0.1/ready?full=1', 'gw.example.com')).not.toThrow();
  });
});
