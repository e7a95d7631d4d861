/**
 * The checks that read files (TLS certificate files, the NGINX Plus licence) run where the
 * inventory is validated, so `validate` and `apply` share them, and each problem names the
 * variable's file and line. Commands that contact no host (render, certs) skip them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCertificate } from '../../../src/certs/index.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { dedent, errors, lineOf, writeTree } from './helpers.js';

const ECDSA = { keyType: 'ecdsa' as const, rsaBits: 2048 };
const good = createCertificate({ hostnames: ['api.am.wso2.com', 'gw.am.wso2.com'], key: ECDSA, days: 90 });
const other = createCertificate({ hostnames: ['api.am.wso2.com'], key: ECDSA, days: 90 });
const wrongNames = createCertificate({ hostnames: ['elsewhere.example'], key: ECDSA, days: 90 });

function inventory(lbVars: string[]): string {
  return `
    all:
      vars:
        apim_pattern: single-node
        apim_version: '4.x'
      children:
        loadbalancers:
          hosts:
            lb1:
              ansible_host: 198.51.100.10
          vars:
${lbVars.map((v) => `            ${v}`).join('\n')}
        apim_all_in_one:
          hosts:
            apim1:
              ansible_host: 192.0.2.10
  `;
}

function load(lbVars: string[], files: Record<string, string>, secretsNeeded = true) {
  const text = inventory(lbVars);
  const dir = writeTree({ 'inventory.yml': dedent(text), ...files });
  const secrets = secretsNeeded ? 'required' : 'ignore';
  return { text, ...loadInventory(join(dir, 'inventory.yml'), { env: { HOME: dir }, secrets }) };
}

const TLS = ['tls_mode: files', 'tls_certificate_file: tls/lb.crt', 'tls_key_file: tls/lb.key'];

describe('TLS files, checked at the input edge', () => {
  it('accepts a matching pair covering every server name', () => {
    const r = load(TLS, { 'tls/lb.crt': good.certPem, 'tls/lb.key': good.keyPem });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.inventory?.loadBalancers[0]?.tls.mode).toBe('files');
  });

  it('reports a key that does not match and names not covered, at tls_certificate_file', () => {
    const r = load(TLS, { 'tls/lb.crt': wrongNames.certPem, 'tls/lb.key': other.keyPem });
    const found = errors(r.diagnostics);
    expect(found.length).toBeGreaterThan(0);
    expect(r.inventory).toBeUndefined();
    for (const d of found) {
      expect(d).toMatchObject({ key: 'all.children.loadbalancers.vars.tls_certificate_file' });
      expect(d.line).toBe(lineOf(r.text, 'tls_certificate_file'));
      expect(d.file).toMatch(/inventory\.yml$/);
    }
    expect(found.map((d) => d.message).join('\n')).toMatch(/does not match|not covered|api\.am\.wso2\.com/);
  });

  it('reports a file that is no PEM at all, and is skipped by commands that contact no host', () => {
    const files = { 'tls/lb.crt': 'not a certificate', 'tls/lb.key': good.keyPem };
    expect(errors(load(TLS, files).diagnostics)[0]?.message).toMatch(/PEM certificate/);
    expect(errors(load(TLS, files, false).diagnostics)).toEqual([]);
  });
});

describe('the NGINX Plus licence, checked at the input edge', () => {
  const PLUS = [
    'nginx_edition: plus',
    'nginx_plus_repo_cert: lic/nginx-repo.crt',
    'nginx_plus_repo_key: lic/nginx-repo.key',
  ];

  it('accepts a matching pair, and reports a mismatched key at nginx_plus_repo_cert', () => {
    expect(
      errors(
        load(PLUS, { 'lic/nginx-repo.crt': good.certPem, 'lic/nginx-repo.key': good.keyPem }).diagnostics,
      ),
    ).toEqual([]);
    const r = load(PLUS, { 'lic/nginx-repo.crt': good.certPem, 'lic/nginx-repo.key': other.keyPem });
    const d = errors(r.diagnostics)[0];
    expect(d?.message).toMatch(/^NGINX Plus licence: .*(match|key)/);
    expect(d).toMatchObject({ key: 'all.children.loadbalancers.vars.nginx_plus_repo_cert' });
    expect(d?.line).toBe(lineOf(r.text, 'nginx_plus_repo_cert'));
    expect(d?.fix).toContain('MyF5');
  });
});
