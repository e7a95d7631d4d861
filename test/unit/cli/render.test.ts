/**
 * `render` says which nginx it wrote for when none is given (so render and apply never differ
 * silently), and `apply` refuses a hostname shared by two components before contacting anything.
 */
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { writeTree } from '../inventory/helpers.js';
import { captureOutput, countingServer } from './support.js';

const output = captureOutput();

/** An active-active inventory (sticky portals) with extra load-balancer variables and files. */
function activeActive(vars: string[], files: Record<string, string> = {}, port = 22): string {
  const inventory = [
    'all:',
    '  children:',
    '    loadbalancers:',
    '      hosts:',
    `        lb1: { ansible_host: 127.0.0.1, ansible_port: ${port} }`,
    '      vars:',
    '        apim_pattern: active-active',
    ...vars.map((v) => `        ${v}`),
    '    apim_all_in_one:',
    '      hosts:',
    '        apim1: { ansible_host: 192.0.2.10 }',
    '        apim2: { ansible_host: 192.0.2.11 }',
    '',
  ].join('\n');
  return join(writeTree({ 'inventory.yml': inventory, ...files }), 'inventory.yml');
}

describe('render without --nginx-version', () => {
  it('says it assumed the oldest distribution nginx, and what apply would do differently', async () => {
    expect(await main(['render', activeActive([])])).toBe(EXIT.OK);
    expect(output.stderr).toMatch(
      /\[NOTE\] lb1: rendered for nginx 1\.22\.1 as no --nginx-version was given/,
    );
    expect(output.stderr).toMatch(/Debian 12/);
    expect(output.stderr).toMatch(/sticky cookie from 1\.29\.6 where this file has ip_hash/);
    expect(output.stderr).toMatch(/nginx_listen_ipv6 is auto/);
    expect(output.stdout).toContain('# NGINX Community (oss), written for nginx 1.22.1');
    expect(output.stdout).toContain('ip_hash;');
  });

  it('renders nginx.org installs with the sticky cookie apply will get, and says so', async () => {
    expect(await main(['render', activeActive(['nginx_oss_source: nginx.org'])])).toBe(EXIT.OK);
    expect(output.stderr).toMatch(/rendered for nginx 1\.30\.0 .*nginx_oss_source: nginx\.org/);
    expect(output.stdout).toContain('written for nginx 1.30.0');
    expect(output.stdout).toContain('sticky learn');
    expect(output.stdout).not.toContain('ip_hash');
    expect(output.stderr).not.toMatch(/WARNING.*ip_hash/);
  });

  it('renders NGINX Plus for the release its repository serves', async () => {
    const licence = { 'lic/nginx-repo.crt': 'c', 'lic/nginx-repo.key': 'k' };
    const inv = activeActive(
      ['nginx_plus_repo_cert: lic/nginx-repo.crt', 'nginx_plus_repo_key: lic/nginx-repo.key'],
      licence,
    );
    expect(await main(['render', inv])).toBe(EXIT.OK);
    expect(output.stderr).toMatch(/rendered for NGINX Plus R33/);
    expect(output.stdout).toContain('(edition plus)');
    expect(output.stdout).toContain('http2 on;');
  });

  it('says nothing of the kind when the version is given', async () => {
    expect(
      await main(['render', activeActive(['nginx_listen_ipv6: false']), '--nginx-version', '1.30.0']),
    ).toBe(EXIT.OK);
    expect(output.stderr).not.toContain('[NOTE]');
    expect(output.stdout).toContain('written for nginx 1.30.0');
  });
});

describe('a hostname shared by two components', () => {
  it('is refused by validate and apply (exit 4) with both keys’ lines, before anything is contacted', async () => {
    const listener = await countingServer();
    try {
      const inv = activeActive(
        ['apim_hostnames:', '  api: am.example.com', '  gw: am.example.com'],
        {},
        listener.port,
      );
      expect(await main(['validate', inv])).toBe(EXIT.INVALID_INPUT);
      // The later key is where the error points; the message names the other key's line.
      expect(output.stdout).toMatch(
        /^\s+10:\d+\s+error\s+apim_hostnames\.gw and apim_hostnames\.api \(\S+inventory\.yml:9\) are both am\.example\.com/m,
      );
      expect(await main(['apply', inv, '--known-hosts', join(dirname(inv), 'known_hosts')])).toBe(
        EXIT.INVALID_INPUT,
      );
      expect(output.stderr).toContain('are both am.example.com');
      expect(listener.connections()).toBe(0);
    } finally {
      listener.server.close();
    }
  });
});
