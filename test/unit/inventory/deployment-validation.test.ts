import { describe, expect, it } from 'vitest';
import { createCa, createCertificate } from '../../../src/certs/index.js';
import { apimVersionLayout } from '../../../src/inventory/apim-version.js';
import { unverifiedUpstreamWarnings } from '../../../src/inventory/lb-settings.js';
import { diag, errors, lineOf, loadText, SINGLE_NODE } from './helpers.js';

/** An inventory with the given `all.vars` lines and role groups (name -> host lines). */
function inventory(vars: string[], groups: Record<string, string[]>): string {
  const lines = ['all:', '  vars:', ...vars.map((v) => `    ${v}`), '  children:'];
  for (const [group, hosts] of Object.entries(groups)) {
    lines.push(`    ${group}:`, '      hosts:');
    for (const h of hosts) {
      const [name, ...hostVars] = h.split(' ');
      lines.push(`        ${name}:`, ...hostVars.map((hv) => `          ${hv.replace('=', ': ')}`));
    }
  }
  return lines.join('\n') + '\n';
}

const LB = { loadbalancers: ['lb1 ansible_host=198.51.100.10'] };

const LICENCE = createCertificate({
  hostnames: ['nginx-repo'],
  key: { keyType: 'ecdsa', rsaBits: 2048 },
  days: 365,
});

describe('load balancer group', () => {
  it('requires a loadbalancers group, suggesting a near name', () => {
    const text = inventory(['apim_pattern: single-node'], {
      loadbalancer: ['lb1'],
      apim_all_in_one: ['apim1'],
    });
    const r = loadText(text);
    const d = diag(r.diagnostics, 'no group "loadbalancers"');
    expect(d.message).toContain('is it "loadbalancer"');
    expect(d).toMatchObject({ key: 'all.children', line: lineOf(text, 'children:') });
  });

  it('requires hosts in loadbalancers', () => {
    const text = `all:\n  vars:\n    apim_pattern: single-node\n  children:\n    loadbalancers:\n    apim_all_in_one:\n      hosts:\n        apim1:\n`;
    const r = loadText(text);
    expect(diag(r.diagnostics, 'group "loadbalancers" has no hosts')).toMatchObject({
      key: 'all.children.loadbalancers',
      line: 5,
    });
  });

  it('warns when a host is both a load balancer and an API-M node', () => {
    const r = loadText(inventory(['apim_pattern: single-node'], { ...LB, apim_all_in_one: ['lb1'] }));
    const d = diag(r.diagnostics, 'both a load balancer and an API-M node');
    expect(d).toMatchObject({ severity: 'warning', key: 'all.children.loadbalancers.hosts.lb1' });
    expect(r.inventory).toBeDefined();
  });

  it('reports two load balancers on the same address and port', () => {
    const text = inventory(['apim_pattern: single-node'], {
      loadbalancers: [
        'lb1 ansible_host=198.51.100.10',
        'lb2 ansible_host=198.51.100.10',
        'lb3 ansible_host=198.51.100.10 ansible_port=2222',
      ],
      apim_all_in_one: ['apim1 ansible_host=192.0.2.10'],
    });
    const r = loadText(text);
    const d = diag(r.diagnostics, 'are the same machine');
    expect(d.message).toContain('lb1 and lb2');
    expect(d.key).toBe('all.children.loadbalancers.hosts.lb2.ansible_host');
    expect(errors(r.diagnostics)).toHaveLength(1);
  });
});

describe('pattern and version', () => {
  it('requires apim_pattern, reported at the load balancer', () => {
    const text = inventory([], { ...LB, apim_all_in_one: ['apim1'] });
    const r = loadText(text);
    const d = diag(r.diagnostics, 'apim_pattern is not set for load balancer lb1');
    expect(d).toMatchObject({ key: 'all.children.loadbalancers.hosts.lb1', line: lineOf(text, 'lb1:') });
    expect(d.fix).toContain('single-node, active-active, distributed');
  });

  it('lists the valid patterns for an unknown one', () => {
    const text = inventory(['apim_pattern: active-pasive'], { ...LB, apim_all_in_one: ['apim1', 'apim2'] });
    const d = diag(loadText(text).diagnostics, 'not a known pattern');
    expect(d.message).toContain('valid: single-node, active-active, distributed');
    expect(d.message).toContain('did you mean "active-active"');
    expect(d).toMatchObject({ key: 'all.vars.apim_pattern', line: 3 });
  });

  it('lists the valid versions for an unknown one', () => {
    const text = inventory(['apim_pattern: single-node', 'apim_version: 5.0'], {
      ...LB,
      apim_all_in_one: ['apim1'],
    });
    const d = diag(loadText(text).diagnostics, 'not a supported API-M version');
    expect(d.message).toContain('2.6, 3.x, 4.x');
    expect(d).toMatchObject({ key: 'all.vars.apim_version', line: 4 });
  });

  it('maps releases to documentation layouts', () => {
    expect(apimVersionLayout(2.6)).toBe('2.6');
    expect(apimVersionLayout('2.6.0')).toBe('2.6');
    expect(apimVersionLayout(3)).toBe('3.x');
    expect(apimVersionLayout(3.2)).toBe('3.x');
    expect(apimVersionLayout('3.1.0')).toBe('3.x');
    expect(apimVersionLayout('3.x')).toBe('3.x');
    expect(apimVersionLayout(4.2)).toBe('4.x');
    expect(apimVersionLayout('4.5.0')).toBe('4.x');
    expect(apimVersionLayout('2.5')).toBeUndefined();
    expect(apimVersionLayout('3.3')).toBeUndefined();
    expect(apimVersionLayout(true)).toBeUndefined();
  });

  it('defaults to the 3.x layout', () => {
    const r = loadText(SINGLE_NODE);
    expect(r.inventory!.loadBalancers[0]!.deployment.version).toBe('3.x');
  });
});

describe('role groups per pattern', () => {
  it('single-node needs exactly one all-in-one node', () => {
    const text = inventory(['apim_pattern: single-node'], {
      ...LB,
      apim_all_in_one: ['a1 ansible_host=192.0.2.1', 'a2 ansible_host=192.0.2.2'],
    });
    const d = diag(loadText(text).diagnostics, 'exactly one host in group apim_all_in_one, found 2');
    expect(d.fix).toContain('active-active');
    expect(d.line).toBe(lineOf(text, 'apim_pattern'));
    diag(loadText(inventory(['apim_pattern: single-node'], LB)).diagnostics, 'found 0');
  });

  it('active-active needs at least two all-in-one nodes', () => {
    const d = diag(
      loadText(inventory(['apim_pattern: active-active'], { ...LB, apim_all_in_one: ['a1'] })).diagnostics,
      'at least two hosts in group apim_all_in_one, found 1',
    );
    expect(d.key).toBe('all.vars.apim_pattern');
  });

  it('distributed needs at least one role group of the layout', () => {
    const d = diag(
      loadText(inventory(['apim_pattern: distributed'], LB)).diagnostics,
      'needs at least one of the groups',
    );
    expect(d.message).toContain(
      'apim_gateway, apim_gateway_manager, apim_publisher, apim_devportal, apim_keymanager',
    );
  });

  it('distributed refuses all-in-one nodes', () => {
    const text = inventory(['apim_pattern: distributed'], {
      ...LB,
      apim_gateway: ['g1'],
      apim_all_in_one: ['a1'],
    });
    const d = diag(loadText(text).diagnostics, 'group apim_all_in_one does not belong');
    expect(d).toMatchObject({ key: 'all.children.apim_all_in_one', line: lineOf(text, 'apim_all_in_one') });
  });

  it('names the layout groups when a role group belongs to another layout', () => {
    const text = inventory(['apim_pattern: distributed', 'apim_version: 3.x'], {
      ...LB,
      apim_control_plane: ['cp1'],
    });
    const r = loadText(text);
    const d = diag(r.diagnostics, 'group apim_control_plane does not belong to the 3.x distributed layout');
    expect(d.message).toContain(
      'apim_gateway, apim_gateway_manager, apim_publisher, apim_devportal, apim_keymanager',
    );
    expect(d.line).toBe(lineOf(text, 'apim_control_plane'));
    const four = loadText(
      inventory(['apim_pattern: distributed', 'apim_version: 4.x'], {
        ...LB,
        apim_gateway: ['g'],
        apim_publisher: ['p'],
      }),
    );
    expect(diag(four.diagnostics, 'apim_publisher does not belong').message).toContain(
      'apim_gateway, apim_gateway_manager, apim_control_plane, apim_keymanager, apim_traffic_manager',
    );
  });

  it('accepts 4.x gateways without a gateway manager group, in inventory order', () => {
    const r = loadText(
      inventory(['apim_pattern: distributed', 'apim_version: 4.x'], {
        ...LB,
        apim_gateway: ['g2 ansible_host=192.0.2.2', 'g1 ansible_host=192.0.2.1'],
      }),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.loadBalancers[0]!.deployment.nodes).toEqual({
      gateway: [
        { name: 'g2', address: '192.0.2.2', portOffset: 0 },
        { name: 'g1', address: '192.0.2.1', portOffset: 0 },
      ],
    });
  });

  it('limits a load balancer to apim_components and checks them', () => {
    const groups = { ...LB, apim_publisher: ['p1'], apim_keymanager: ['k1'] };
    const ok = loadText(
      inventory(['apim_pattern: distributed', 'apim_components: [apim_publisher]'], groups),
    );
    expect(ok.diagnostics).toEqual([]);
    expect(Object.keys(ok.inventory!.loadBalancers[0]!.deployment.nodes)).toEqual(['publisher']);
    const text = inventory(
      ['apim_pattern: distributed', 'apim_components: [publisher, control_plane, devportal, publishr]'],
      groups,
    );
    const r = loadText(text);
    expect(diag(r.diagnostics, '"control_plane" is not a 3.x distributed role').key).toBe(
      'all.vars.apim_components.1',
    );
    expect(diag(r.diagnostics, 'group apim_devportal has no hosts').key).toBe('all.vars.apim_components.2');
    expect(diag(r.diagnostics, '"publishr"').message).toContain('did you mean "publisher"');
  });
});

describe('addresses, ports and offsets', () => {
  it('reports a bad ansible_host, port and apim_address', () => {
    const text = inventory(['apim_pattern: active-active'], {
      loadbalancers: ['lb1 ansible_host=bad_host! ansible_port=0'],
      apim_all_in_one: ['a1 apim_address=999.1.1.1', 'a2 ansible_host=192.0.2.2 apim_port_offset=10001'],
    });
    const r = loadText(text);
    expect(diag(r.diagnostics, 'ansible_host "bad_host!"').line).toBe(lineOf(text, 'bad_host!'));
    expect(diag(r.diagnostics, 'ansible_port must be from 1 to 65535, got 0').key).toBe(
      'all.children.loadbalancers.hosts.lb1.ansible_port',
    );
    expect(diag(r.diagnostics, 'apim_address "999.1.1.1"').line).toBe(lineOf(text, '999.1.1.1'));
    expect(diag(r.diagnostics, 'apim_port_offset must be from 0 to 10000').line).toBe(lineOf(text, '10001'));
  });

  it('reports a host name that is not an address when ansible_host is unset', () => {
    const r = loadText(
      inventory(['apim_pattern: single-node'], { loadbalancers: ['lb_1'], apim_all_in_one: ['a1'] }),
    );
    expect(diag(r.diagnostics, 'host name "lb_1" is not an IPv4/IPv6 address').key).toBe(
      'all.children.loadbalancers.hosts.lb_1',
    );
  });

  it('reports a node address nginx could not proxy to, even when no play contacts the node', () => {
    const text = inventory(['apim_pattern: active-active'], {
      ...LB,
      apim_all_in_one: ['a1 ansible_host=bad{host', 'a_2'],
    });
    const r = loadText(text);
    expect(diag(r.diagnostics, 'ansible_host "bad{host"').line).toBe(lineOf(text, 'bad{host'));
    expect(diag(r.diagnostics, 'host name "a_2" is not an IPv4/IPv6 address').key).toBe(
      'all.children.apim_all_in_one.hosts.a_2',
    );
  });

  it('accepts IPv6 node addresses and DNS names', () => {
    const r = loadText(
      inventory(['apim_pattern: active-active'], {
        ...LB,
        apim_all_in_one: ['a1 apim_address="2001:db8::1"', 'a2 ansible_host=apim2.example.com'],
      }),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.loadBalancers[0]!.deployment.nodes.all_in_one!.map((b) => b.address)).toEqual([
      '2001:db8::1',
      'apim2.example.com',
    ]);
  });

  it('reports two nodes of one role group with the same address and offset', () => {
    const text = inventory(['apim_pattern: active-active'], {
      ...LB,
      apim_all_in_one: [
        'a1 ansible_host=192.0.2.5',
        'a2 ansible_host=192.0.2.5',
        'a3 ansible_host=192.0.2.5 apim_port_offset=1',
      ],
    });
    const r = loadText(text);
    const d = diag(r.diagnostics, 'have the same address 192.0.2.5 and port offset 0');
    expect(d.message).toContain('a1 and a2');
    expect(d.key).toBe('all.children.apim_all_in_one.hosts.a2.ansible_host');
    expect(errors(r.diagnostics)).toHaveLength(1);
  });
});

describe('load balancer settings', () => {
  const base = (vars: string[], files: Record<string, string> = {}) =>
    loadText(
      inventory(['apim_pattern: single-node', ...vars], {
        ...LB,
        apim_all_in_one: ['a1 ansible_host=192.0.2.1'],
      }),
      files,
    );

  it('builds the defaults', () => {
    const r = base([]);
    expect(r.diagnostics).toEqual([]);
    const lb = r.inventory!.loadBalancers[0]!;
    expect(lb).toMatchObject({
      editionChoice: 'auto',
      listenIpv6: 'auto',
      install: { ossSource: 'distro' },
      tls: { mode: 'generate', keyType: 'ecdsa', rsaBits: 2048, days: 365, useCa: true },
      deployment: {
        pattern: 'single-node',
        extras: { websocket: false, passthrough: false, websub: false, websocketTimeout: '1h' },
        gatewayHttp: 'refuse',
        sites: {
          api: { hsts: true, clientMaxBodySize: '100m', upstreamTlsName: 'api.am.wso2.com' },
          gw: { hsts: false, clientMaxBodySize: '100m', upstreamTlsName: 'gw.am.wso2.com' },
        },
        upstreamTls: { verify: false, deliberate: false },
        health: { maxFails: 3, failTimeout: '30s', active: true },
        defaultServer: false,
        tlsPaths: { certificate: '/etc/nginx/ssl/apim.crt', key: '/etc/nginx/ssl/apim.key' },
        confFileName: 'apim.conf',
        hostnames: { api: 'api.am.wso2.com', gw: 'gw.am.wso2.com', mgtgw: 'mgtgw.am.wso2.com' },
      },
    });
    expect(lb.plusLicence).toBeUndefined();
  });

  it('reads nginx_listen_ipv6 as auto or a boolean', () => {
    const lbOf = (v: string) => base([`nginx_listen_ipv6: ${v}`]).inventory!.loadBalancers[0]!;
    expect(lbOf('auto').listenIpv6).toBe('auto');
    expect(lbOf('false').listenIpv6).toBe(false);
    expect(lbOf('yes').listenIpv6).toBe(true);
    const d = diag(
      base(['nginx_listen_ipv6: sometimes']).diagnostics,
      'nginx_listen_ipv6 must be auto, true or false',
    );
    expect(d).toMatchObject({ key: 'all.vars.nginx_listen_ipv6', line: 4 });
    expect(d.fix).toContain('nginx_listen_ipv6: auto');
  });

  it('reports Plus without licence', () => {
    const d = diag(base(['nginx_edition: plus']).diagnostics, 'Plus edition without licence');
    expect(d).toMatchObject({ key: 'all.vars.nginx_edition', line: 4 });
    expect(d.fix).toContain('nginx_plus_repo_cert');
  });

  it('reads the Plus licence and reports missing licence files', () => {
    const ok = base(
      [
        'nginx_edition: plus',
        'nginx_plus_repo_cert: lic/nginx-repo.crt',
        'nginx_plus_repo_key: lic/nginx-repo.key',
        'nginx_plus_jwt: lic/license.jwt',
      ],
      // The licence pair is checked at load time (key matches, not expired): a real one.
      { 'lic/nginx-repo.crt': LICENCE.certPem, 'lic/nginx-repo.key': LICENCE.keyPem, 'lic/license.jwt': 'j' },
    );
    expect(ok.diagnostics).toEqual([]);
    expect(ok.inventory!.loadBalancers[0]!.plusLicence).toEqual({
      repoCertificateFile: `${ok.dir}/lic/nginx-repo.crt`,
      repoKeyFile: `${ok.dir}/lic/nginx-repo.key`,
      jwtFile: `${ok.dir}/lic/license.jwt`,
      keepRepoCredentials: false,
    });
    const bad = base(
      [
        'nginx_edition: plus',
        'nginx_plus_repo_cert: lic/nginx-repo.crt',
        'nginx_plus_repo_key: lic/nginx-repo.key',
      ],
      {
        'lic/nginx-repo.crt': 'c',
      },
    );
    expect(diag(bad.diagnostics, 'nginx-repo.key does not exist')).toMatchObject({
      key: 'all.vars.nginx_plus_repo_key',
      line: 6,
    });
    const half = base(['nginx_plus_repo_cert: lic/nginx-repo.crt'], { 'lic/nginx-repo.crt': 'c' });
    diag(half.diagnostics, 'nginx_plus_repo_key is not set');
  });

  it('reads the install source with the mirror CA and a pinned key fingerprint', () => {
    const r = base(
      [
        'nginx_oss_source: nginx.org',
        'nginx_repo_url: https://mirror.example.com/nginx',
        'nginx_repo_signing_key: keys/nginx.asc',
        'nginx_repo_ca_file: keys/ca.pem',
        'nginx_repo_signing_key_fingerprint: "573b fd6b 3d8f bc64 1079  a6ab abf5 bd82 7bd9 bf62"',
      ],
      { 'keys/nginx.asc': 'k', 'keys/ca.pem': 'c' },
    );
    expect(r.diagnostics).toEqual([]);
    const lb = r.inventory!.loadBalancers[0]!;
    expect(lb.install).toEqual({
      ossSource: 'nginx.org',
      repoUrl: 'https://mirror.example.com/nginx',
      signingKeyFile: `${r.dir}/keys/nginx.asc`,
      signingKeyFingerprint: '573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62',
      repoCaFile: `${r.dir}/keys/ca.pem`,
    });
    diag(
      base(['nginx_repo_signing_key_fingerprint: abc']).diagnostics,
      'not a 40-hex-digit OpenPGP fingerprint',
    );
    diag(base(['nginx_repo_url: ftp://x']).diagnostics, 'not an http:// or https:// URL');
    diag(
      base(['nginx_edition: community']).diagnostics,
      'nginx_edition must be one of "auto", "oss", "plus"',
    );
  });

  it('refuses RSA keys below 2048 bits, explaining why', () => {
    const d = diag(
      base(['tls_key_type: rsa', 'tls_rsa_bits: 1024']).diagnostics,
      'tls_rsa_bits must be from 2048',
    );
    expect(d.message).toContain('OpenSSL');
    expect(d.line).toBe(5);
  });

  it('generates ECDSA P-256 keys unless tls_key_type: rsa asks for RSA', () => {
    const tlsOf = (vars: string[]) => base(vars).inventory!.loadBalancers[0]!.tls;
    expect(tlsOf([])).toMatchObject({ keyType: 'ecdsa' });
    const rsa = base(['tls_key_type: rsa', 'tls_rsa_bits: 3072']);
    expect(rsa.diagnostics).toEqual([]);
    expect(rsa.inventory!.loadBalancers[0]!.tls).toMatchObject({ keyType: 'rsa', rsaBits: 3072 });
  });

  it('refuses tls_rsa_bits that relies on RSA having been the default key type', () => {
    // An inventory written when RSA was the default: ECDSA keys would ignore what it asks for.
    const d = diag(base(['tls_rsa_bits: 4096']).diagnostics, 'tls_rsa_bits sizes RSA keys');
    expect(d).toMatchObject({ severity: 'error', line: 4 });
    expect(d.message).toContain('ECDSA P-256');
    expect(d.fix).toContain('tls_key_type: rsa');
    // Written next to tls_key_type: ecdsa, it merely has no effect.
    const w = diag(
      base(['tls_key_type: ecdsa', 'tls_rsa_bits: 4096']).diagnostics,
      'tls_rsa_bits has no effect with tls_key_type: ecdsa',
    );
    expect(w.severity).toBe('warning');
  });

  it('warns about long-lived certificates and refuses zero days', () => {
    const r = base(['tls_days: 825']);
    expect(diag(r.diagnostics, 'tls_days 825').severity).toBe('warning');
    expect(r.inventory!.loadBalancers[0]!.tls).toMatchObject({ days: 825 });
    diag(base(['tls_days: 0']).diagnostics, 'tls_days must be from 1');
  });

  it('reads TLS files and reports missing ones', () => {
    const ok = base(
      [
        'tls_mode: files',
        'tls_certificate_file: tls/lb.crt',
        'tls_key_file: tls/lb.key',
        'tls_chain_file: tls/chain.pem',
        'tls_key_passphrase: { env: KEYPASS }',
      ],
      { 'tls/lb.crt': 'c', 'tls/lb.key': 'k', 'tls/chain.pem': 'i' },
    );
    // KEYPASS is not set in the test environment
    expect(diag(ok.diagnostics, 'KEYPASS').key).toBe('all.vars.tls_key_passphrase');
    const r = base(['tls_mode: files', 'tls_certificate_file: tls/none.crt']);
    expect(diag(r.diagnostics, 'needs tls_key_file').key).toBe('all.vars.tls_mode');
    expect(diag(r.diagnostics, 'none.crt does not exist').line).toBe(5);
    const generated = base(['tls_certificate_file: tls/lb.crt'], { 'tls/lb.crt': 'c' });
    expect(diag(generated.diagnostics, 'no effect with tls_mode: generate').severity).toBe('warning');
  });

  it('checks apim_hostnames keys and values where they are written', () => {
    const text = inventory(
      [
        'apim_pattern: single-node',
        'apim_hostnames:',
        '  api: portal.example.com',
        '  gateway: gw.example.com',
        '  gw: not a name',
      ],
      { ...LB, apim_all_in_one: ['a1'] },
    );
    const r = loadText(text);
    expect(diag(r.diagnostics, 'unknown apim_hostnames key "gateway"')).toMatchObject({
      key: 'all.vars.apim_hostnames.gateway',
      line: lineOf(text, 'gateway:'),
    });
    expect(diag(r.diagnostics, 'apim_hostnames.gw must be a DNS name').line).toBe(lineOf(text, 'not a name'));
  });

  it('uses gwm for the 4.x gateway manager name and the given hostnames', () => {
    const r = loadText(
      inventory(
        ['apim_pattern: distributed', 'apim_version: 4.x', 'apim_hostnames: { cp: cp.example.com }'],
        {
          ...LB,
          apim_control_plane: ['cp1'],
        },
      ),
    );
    expect(r.inventory!.loadBalancers[0]!.deployment.hostnames).toMatchObject({
      mgtgw: 'gwm.am.wso2.com',
      cp: 'cp.example.com',
    });
  });

  it('checks apim_conf_file', () => {
    diag(base(['apim_conf_file: conf.d/apim.conf']).diagnostics, 'must be a plain file name ending in .conf');
    diag(base(['apim_conf_file: apim.txt']).diagnostics, 'must be a plain file name ending in .conf');
    expect(
      base(['apim_conf_file: wso2-apim.conf']).inventory!.loadBalancers[0]!.deployment.confFileName,
    ).toBe('wso2-apim.conf');
  });
});

describe('hostnames of one load balancer must differ', () => {
  it('refuses two served components on one name, naming both keys and lines', () => {
    const text = inventory(
      ['apim_pattern: single-node', 'apim_hostnames:', '  api: am.example.com', '  gw: AM.example.com'],
      { ...LB, apim_all_in_one: ['a1'] },
    );
    const r = loadText(text);
    const d = diag(r.diagnostics, 'are both am.example.com');
    expect(d).toMatchObject({
      severity: 'error',
      key: 'all.vars.apim_hostnames.gw',
      line: lineOf(text, '  gw: AM.example.com'),
    });
    expect(d.message).toContain(
      `apim_hostnames.gw and apim_hostnames.api (${r.file}:${lineOf(text, '  api:')})`,
    );
    expect(d.message).toContain('conflicting server name');
    expect(r.inventory).toBeUndefined();
  });

  it('refuses the 3.x Publisher and Store on one name', () => {
    const text = inventory(
      [
        'apim_pattern: distributed',
        'apim_hostnames: { publisher: portal.example.com, store: portal.example.com }',
      ],
      { ...LB, apim_publisher: ['p1'], apim_devportal: ['s1'] },
    );
    const d = diag(loadText(text).diagnostics, 'are both portal.example.com');
    expect(d.key).toBe('all.vars.apim_hostnames.store');
    expect(d.fix).toContain('publisher, store');
  });

  it('reports a name set equal to another key’s default', () => {
    const text = inventory(['apim_pattern: single-node', 'apim_hostnames: { gw: api.am.wso2.com }'], {
      ...LB,
      apim_all_in_one: ['a1'],
    });
    const d = diag(loadText(text).diagnostics, 'are both api.am.wso2.com');
    expect(d.message).toContain('apim_hostnames.gw and apim_hostnames.api (its default)');
    expect(d.key).toBe('all.vars.apim_hostnames.gw');
  });

  it('only compares the names the layout serves (cp may equal publisher on a 3.x layout)', () => {
    const text = inventory(
      [
        'apim_pattern: distributed',
        'apim_hostnames: { publisher: portal.example.com, cp: portal.example.com }',
      ],
      { ...LB, apim_publisher: ['p1 ansible_host=192.0.2.1'] },
    );
    expect(errors(loadText(text).diagnostics)).toEqual([]);
  });
});

describe('layouts per version', () => {
  it('accepts the 4.x simple scalable layout by its own name', () => {
    const r = loadText(
      inventory(['apim_pattern: simple-scalable', 'apim_version: 4.x'], {
        ...LB,
        apim_all_in_one: ['a1 ansible_host=192.0.2.1', 'a2 ansible_host=192.0.2.2'],
        apim_gateway: ['g1 ansible_host=192.0.2.3', 'g2 ansible_host=192.0.2.4'],
      }),
    );
    expect(r.diagnostics).toEqual([]);
    const d = r.inventory!.loadBalancers[0]!.deployment;
    expect(d.pattern).toBe('simple-scalable');
    expect(Object.keys(d.nodes).sort()).toEqual(['all_in_one', 'gateway']);
    expect(d.gatewayHttp).toBe('proxy');
  });

  it('refuses simple-scalable before 4.x, and points 4.x distributed All-in-One nodes at it', () => {
    const old = loadText(
      inventory(['apim_pattern: simple-scalable', 'apim_version: 3.x'], { ...LB, apim_all_in_one: ['a1'] }),
    );
    expect(diag(old.diagnostics, 'simple-scalable is an API-M 4.x layout').fix).toContain(
      'apim_version: 4.x',
    );
    const text = inventory(['apim_pattern: distributed', 'apim_version: 4.x'], {
      ...LB,
      apim_all_in_one: ['a1'],
      apim_gateway: ['g1'],
    });
    const d = diag(loadText(text).diagnostics, 'group apim_all_in_one does not belong');
    expect(d.fix).toContain('apim_pattern: simple-scalable');
    expect(d.fix).toContain('apim_control_plane');
  });

  it('accepts a 3.x HA Traffic Manager and a 4.x separate Key Manager', () => {
    const three = loadText(
      inventory(['apim_pattern: distributed'], {
        ...LB,
        apim_traffic_manager: ['t1 ansible_host=192.0.2.1', 't2 ansible_host=192.0.2.2'],
      }),
    );
    expect(three.diagnostics).toEqual([]);
    expect(three.inventory!.loadBalancers[0]!.deployment.nodes.traffic_manager).toHaveLength(2);
    const four = loadText(
      inventory(['apim_pattern: distributed', 'apim_version: 4.x'], {
        ...LB,
        apim_keymanager: ['k1 ansible_host=192.0.2.1', 'k2 ansible_host=192.0.2.2'],
      }),
    );
    expect(four.diagnostics).toEqual([]);
    expect(four.inventory!.loadBalancers[0]!.deployment.nodes.keymanager).toHaveLength(2);
  });

  it('resolves port 80 of the gateway name per version, unless set', () => {
    const http = (vars: string[], groups: Record<string, string[]>) =>
      loadText(inventory(vars, { ...LB, ...groups })).inventory!.loadBalancers[0]!.deployment.gatewayHttp;
    const aio = { apim_all_in_one: ['a1'] };
    const gw = { apim_gateway: ['g1'] };
    expect(http(['apim_pattern: single-node'], aio)).toBe('refuse');
    expect(http(['apim_pattern: distributed'], gw)).toBe('proxy');
    expect(http(['apim_pattern: distributed', 'apim_version: 4.x'], gw)).toBe('proxy');
    expect(http(['apim_pattern: distributed', 'apim_version: 2.6'], gw)).toBe('refuse');
    expect(http(['apim_pattern: single-node', 'apim_gateway_http: proxy'], aio)).toBe('proxy');
    expect(http(['apim_pattern: distributed', 'apim_gateway_http: redirect'], gw)).toBe('redirect');
    const bad = loadText(
      inventory(['apim_pattern: single-node', 'apim_gateway_http: plain'], { ...LB, ...aio }),
    );
    expect(diag(bad.diagnostics, 'apim_gateway_http must be one of').message).toContain('"proxy"');
  });

  it('allows the WebSub listeners on 4.x only', () => {
    const four = loadText(
      inventory(['apim_pattern: distributed', 'apim_version: 4.x', 'apim_websub: true'], {
        ...LB,
        apim_gateway: ['g1 ansible_host=192.0.2.1'],
      }),
    );
    expect(four.inventory!.loadBalancers[0]!.deployment.extras.websub).toBe(true);
    const text = inventory(['apim_pattern: distributed', 'apim_websub: true'], {
      ...LB,
      apim_gateway: ['g1'],
    });
    const d = diag(loadText(text).diagnostics, 'apim_websub needs API-M 4.x');
    expect(d.line).toBe(lineOf(text, 'apim_websub'));
  });

  it('reads the custom proxy context path the nodes use, in one spelling', () => {
    const path = (value: string) =>
      loadText(
        inventory(['apim_pattern: single-node', `apim_proxy_context_path: ${value}`], {
          ...LB,
          apim_all_in_one: ['a1'],
        }),
      );
    for (const written of ['/apim', '/apim/', 'apim'])
      expect(path(written).inventory!.loadBalancers[0]!.deployment.proxyContextPath).toBe('/apim');
    expect(path('/api/m').inventory!.loadBalancers[0]!.deployment.proxyContextPath).toBe('/api/m');
    for (const bad of ['/', '"/a b"', '/../etc', '"/x;y"'])
      diag(path(bad).diagnostics, 'is not a URL path prefix');
  });
});

describe('production settings', () => {
  const base = (
    vars: string[],
    groups: Record<string, string[]> = { apim_all_in_one: ['a1 ansible_host=192.0.2.1'] },
    files: Record<string, string> = {},
  ) => {
    const text = inventory(['apim_pattern: single-node', ...vars], { ...LB, ...groups });
    return { text, ...loadText(text, files) };
  };
  const deploymentOf = (r: ReturnType<typeof base>) => r.inventory!.loadBalancers[0]!.deployment;

  it('sets HSTS on the browser-facing names by default, per hostname when asked', () => {
    expect(deploymentOf(base([])).sites.api.hsts).toBe(true);
    expect(deploymentOf(base([])).sites.gw.hsts).toBe(false);
    const off = deploymentOf(base(['apim_hsts: false']));
    expect(Object.values(off.sites).every((s) => !s.hsts)).toBe(true);
    const on = deploymentOf(base(['apim_hsts: yes']));
    expect(on.sites.api.hsts && !on.sites.km.hsts).toBe(true);
    const map = deploymentOf(base(['apim_hsts: { api: false, gw: true }']));
    expect([map.sites.api.hsts, map.sites.gw.hsts, map.sites.publisher.hsts]).toEqual([false, true, true]);
    const every = deploymentOf(base(['apim_hsts: { default: true }']));
    expect(Object.values(every.sites).every((s) => s.hsts)).toBe(true);
    const r = base(['apim_hsts:', '  apii: true', '  gw: sometimes']);
    expect(diag(r.diagnostics, 'unknown apim_hsts key "apii"').message).toContain('did you mean "api"');
    expect(diag(r.diagnostics, 'apim_hsts.gw must be a boolean')).toMatchObject({
      key: 'all.vars.apim_hsts.gw',
      line: lineOf(r.text, 'gw: sometimes'),
    });
  });

  it('limits request bodies to 100m, per hostname when asked', () => {
    expect(deploymentOf(base([])).sites.gw.clientMaxBodySize).toBe('100m');
    const d = deploymentOf(base(['apim_client_max_body_size: { default: 10m, gw: 0 }']));
    expect([d.sites.api.clientMaxBodySize, d.sites.gw.clientMaxBodySize]).toEqual(['10m', '0']);
    expect(deploymentOf(base(['apim_client_max_body_size: 1048576'])).sites.api.clientMaxBodySize).toBe(
      '1048576',
    );
    const r = base(['apim_client_max_body_size: { api: 10 MB }']);
    expect(diag(r.diagnostics, 'apim_client_max_body_size.api must be an nginx size').line).toBe(
      lineOf(r.text, '10 MB'),
    );
  });

  it('reads health check and WebSocket timeouts as nginx times', () => {
    const d = deploymentOf(
      base([
        'apim_upstream_max_fails: 5',
        'apim_upstream_fail_timeout: 1m',
        'apim_active_health_checks: no',
        'apim_websocket_timeout: 2h',
      ]),
    );
    expect(d.health).toEqual({ maxFails: 5, failTimeout: '1m', active: false });
    expect(d.extras.websocketTimeout).toBe('2h');
    diag(
      base(['apim_upstream_fail_timeout: soon']).diagnostics,
      'apim_upstream_fail_timeout must be an nginx time',
    );
    diag(base(['apim_upstream_max_fails: 101']).diagnostics, 'apim_upstream_max_fails must be from 0 to 100');
  });

  it('takes a status port on loopback, never one the load balancer serves', () => {
    expect(deploymentOf(base(['apim_status_port: 8081'])).statusPort).toBe(8081);
    expect(deploymentOf(base([])).statusPort).toBeUndefined();
    diag(
      base(['apim_status_port: 443']).diagnostics,
      'apim_status_port 443 is a port the load balancer serves',
    );
    expect(deploymentOf(base(['apim_default_server: true'])).defaultServer).toBe(true);
  });

  describe('admin path allow-list', () => {
    it('reads addresses and networks, pointing at a bad entry', () => {
      expect(
        deploymentOf(base(['apim_admin_allow: [10.1.0.0/16, 192.0.2.7, "2001:db8::/32"]'])).adminAllow,
      ).toEqual(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32']);
      expect(deploymentOf(base(['apim_admin_allow: 10.1.0.0/16'])).adminAllow).toEqual(['10.1.0.0/16']);
      expect(deploymentOf(base([])).adminAllow).toBeUndefined();
      const r = base(['apim_admin_allow:', '  - 10.1.0.0/16', '  - 10.2.0.0/33', '  - admins.example.com']);
      expect(diag(r.diagnostics, '"10.2.0.0/33" is not an IP address').key).toBe(
        'all.vars.apim_admin_allow.1',
      );
      expect(diag(r.diagnostics, '"admins.example.com"').line).toBe(lineOf(r.text, 'admins.example.com'));
    });

    it('warns when distributed nodes known by name cannot be let in', () => {
      const groups = { apim_gateway: ['g1 ansible_host=gw1.example.com', 'g2 ansible_host=192.0.2.2'] };
      const text = inventory(['apim_pattern: distributed', 'apim_admin_allow: [10.1.0.0/16]'], {
        ...LB,
        ...groups,
      });
      const d = diag(loadText(text).diagnostics, 'cannot let in API-M nodes known by name');
      expect(d.severity).toBe('warning');
      expect(d.message).toContain('g1: gw1.example.com');
      expect(d.message).not.toContain('g2');
    });
  });

  describe('upstream TLS verification', () => {
    // One issue time for both: the leaf's 30 days would outlive the CA's by a second if its key took
    // the clock past a second boundary (a busy machine), which createCertificate rightly refuses.
    const now = new Date();
    const ca = createCa({ commonName: 'nodes CA', key: { keyType: 'ecdsa', rsaBits: 2048 }, days: 30, now });
    const leaf = createCertificate({
      hostnames: ['node.example.com'],
      key: { keyType: 'ecdsa', rsaBits: 2048 },
      days: 30,
      issuer: ca,
      now,
    });
    const expired = createCa({
      commonName: 'old CA',
      key: { keyType: 'ecdsa', rsaBits: 2048 },
      days: 1,
      now: new Date('2020-01-01'),
    });
    const verify = (file: string, content: string) =>
      base(['apim_upstream_tls_verify: true', `apim_upstream_ca_file: ${file}`], undefined, {
        [file]: content,
      });

    it('loads the trusted CA bundle for nginx', () => {
      const r = verify('pki/nodes-ca.pem', `# the nodes' CA\n${ca.certPem}`);
      expect(r.diagnostics).toEqual([]);
      const tls = deploymentOf(r).upstreamTls;
      expect(tls).toMatchObject({ verify: true, caFile: `${r.dir}/pki/nodes-ca.pem` });
      expect(tls.verify && tls.caPem).toBe(`${ca.certPem.trim()}\n`);
    });

    it('refuses verification without a CA, or with a file that holds no certificate', () => {
      const none = base(['apim_upstream_tls_verify: true']);
      expect(diag(none.diagnostics, 'needs apim_upstream_ca_file').key).toBe(
        'all.vars.apim_upstream_tls_verify',
      );
      diag(verify('ca.pem', 'not a certificate').diagnostics, 'holds no PEM certificate');
      diag(
        verify('ca.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').diagnostics,
        'a certificate cannot be read',
      );
    });

    it('warns about trust anchors nginx cannot use, and expired ones', () => {
      const r = verify('ca.pem', `${leaf.certPem}${expired.certPem}`);
      expect(diag(r.diagnostics, 'is neither a CA nor a self-signed certificate').severity).toBe('warning');
      expect(diag(r.diagnostics, 'expired on').severity).toBe('warning');
      expect(deploymentOf(r).upstreamTls.verify).toBe(true);
    });

    it('warns (validate, apply) that unverified nodes cost confidentiality, unless deliberately off', () => {
      const implicit = base([]);
      expect(deploymentOf(implicit).upstreamTls).toEqual({ verify: false, deliberate: false });
      const [w] = unverifiedUpstreamWarnings(implicit.inventory!);
      expect(w).toMatchObject({ severity: 'warning', key: 'lb1.apim_upstream_tls_verify' });
      expect(w!.message).toMatch(/read and change every request, passwords and tokens/);
      const deliberate = base(['apim_upstream_tls_verify: false']);
      expect(unverifiedUpstreamWarnings(deliberate.inventory!)).toEqual([]);
      const pointless = base(['apim_upstream_ca_file: ca.pem'], undefined, { 'ca.pem': ca.certPem });
      expect(
        diag(pointless.diagnostics, 'has no effect while apim_upstream_tls_verify is off').severity,
      ).toBe('warning');
    });

    it('checks the names the nodes’ certificates carry, per hostname', () => {
      const d = deploymentOf(base(['apim_upstream_tls_name: { gw: gateway.internal.example }']));
      expect([d.sites.gw.upstreamTlsName, d.sites.api.upstreamTlsName]).toEqual([
        'gateway.internal.example',
        'api.am.wso2.com',
      ]);
      diag(base(['apim_upstream_tls_name: 192.0.2.1']).diagnostics, 'must be the DNS name the API-M nodes');
    });
  });
});
