import { describe, expect, it } from 'vitest';
import { levenshtein, closest } from '../../../src/input/closest-word.js';
import { diag, errors, lineOf, loadText, SINGLE_NODE } from './helpers.js';

describe('inventory file structure', () => {
  it('reports malformed YAML with its position', () => {
    const r = loadText('all:\n  children:\n    loadbalancers: [\n');
    expect(r.inventory).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', file: r.file });
    expect(r.diagnostics[0]!.message).toMatch(/^YAML syntax/);
    expect(r.diagnostics[0]!.line).toBeGreaterThan(0);
  });

  it('warns about an empty file, which Ansible reads as an empty inventory', () => {
    const r = loadText('# only a comment\n');
    expect(diag(r.diagnostics, 'inventory is empty')).toMatchObject({ line: 0, severity: 'warning' });
    expect(diag(r.diagnostics, 'no group "loadbalancers"').severity).toBe('error');
  });

  it('reports a top level that is not a mapping', () => {
    const r = loadText('- lb1\n- lb2\n');
    expect(diag(r.diagnostics, 'must be a mapping of groups, got a list').fix).toContain('all:');
  });

  it('warns that hosts/children/vars at the top level are groups of that name, as in Ansible', () => {
    const text = `
      hosts:
        lb1:
    `;
    const r = loadText(text);
    expect(diag(r.diagnostics, '"hosts" at the top level')).toMatchObject({
      key: 'hosts',
      line: 1,
      severity: 'warning',
    });
  });

  it('reports unknown structure keys with a suggestion, at their line', () => {
    const text = `
      all:
        vars:
          apim_pattern: single-node
        chidren:
          loadbalancers:
            host:
              lb1:
    `;
    const r = loadText(text);
    const d = diag(r.diagnostics, 'unknown key "chidren"');
    expect(d).toMatchObject({
      key: 'all.chidren',
      line: lineOf(text, 'chidren'),
      column: 3,
      severity: 'error',
    });
    expect(d.message).toContain('did you mean "children"');
    expect(d.fix).toBe('rename it to "children"');
  });

  it('reports "host:" instead of "hosts:" inside a group', () => {
    const text = SINGLE_NODE.replace('loadbalancers:\n        hosts:', 'loadbalancers:\n        host:');
    const r = loadText(text);
    const d = diag(r.diagnostics, 'unknown key "host"');
    expect(d.key).toBe('all.children.loadbalancers.host');
    expect(d.line).toBe(lineOf(text, 'host:'));
    expect(d.message).toContain('did you mean "hosts"');
  });

  it('reports hosts written as a list, naming the expected type', () => {
    const text = `
      all:
        children:
          loadbalancers:
            hosts:
              - lb1
    `;
    const r = loadText(text);
    const d = diag(r.diagnostics, '"hosts" of group "loadbalancers" must be a mapping, got a list');
    expect(d).toMatchObject({ key: 'all.children.loadbalancers.hosts', line: lineOf(text, 'hosts:') });
  });

  it('reports vars that are not a mapping and host vars that are not a mapping', () => {
    const text = `
      all:
        vars: [apim_pattern]
        hosts:
          lb1: 198.51.100.1
    `;
    const r = loadText(text);
    expect(diag(r.diagnostics, '"vars" of group "all" must be a mapping').line).toBe(lineOf(text, 'vars:'));
    expect(diag(r.diagnostics, 'host "lb1" must be followed by a mapping').line).toBe(lineOf(text, 'lb1:'));
  });

  it('reports loops in children', () => {
    const text = `
      all:
        children:
          outer:
            children:
              inner:
                children:
                  outer:
    `;
    const r = loadText(text);
    expect(diag(r.diagnostics, 'creates a loop').key).toBe('all.children.outer.children.inner');
  });

  it('expands host ranges as Ansible does, with their variables', () => {
    const r = loadText(
      SINGLE_NODE.replace(
        'apim1:\n            ansible_host: 192.0.2.10',
        'apim[01:05:2]:\n            apim_port_offset: 1',
      ).replace('single-node', 'active-active'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.groups.get('apim_all_in_one')!.hosts).toEqual(['apim01', 'apim03', 'apim05']);
    expect(r.inventory!.hosts.get('apim03')!.vars.apim_port_offset).toBe(1);
  });

  it('reports a malformed host range at its key', () => {
    const r = loadText(SINGLE_NODE.replace('apim1:', 'apim[01:5]:'));
    expect(diag(r.diagnostics, 'equal-length').key).toBe('all.children.apim_all_in_one.hosts.apim[01:5]');
  });

  it('reports a misspelt API-M role group', () => {
    const text = SINGLE_NODE.replace(
      'children:',
      'children:\n      apim_gateways:\n        hosts:\n          gw9:',
    );
    const r = loadText(text);
    const d = diag(r.diagnostics, 'unknown API-M role group "apim_gateways"');
    expect(d.message).toContain('did you mean "apim_gateway"');
    expect(d.line).toBe(lineOf(text, 'apim_gateways'));
  });

  it('warns about group names Ansible does not accept', () => {
    const r = loadText(
      SINGLE_NODE.replace('children:', 'children:\n      web-servers:\n        hosts:\n          w1:'),
    );
    expect(diag(r.diagnostics, 'characters Ansible warns about').severity).toBe('warning');
  });

  it('returns every problem at once', () => {
    const text = `
      all:
        vars:
          apim_pattern: single-nod
          apim_websockets: true
          tls_rsa_bits: 1024
        children:
          loadbalancers:
            hosts:
              lb1:
                ansible_port: 70000
    `;
    const r = loadText(text);
    const messages = errors(r.diagnostics).map((d) => d.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('apim_pattern "single-nod"'),
        expect.stringContaining('unknown variable apim_websockets'),
        expect.stringContaining('tls_rsa_bits must be from 2048'),
        expect.stringContaining('ansible_port must be from 1 to 65535'),
        expect.stringContaining('pattern'),
      ]),
    );
    expect(r.inventory).toBeUndefined();
  });
});

describe('variable names', () => {
  it.each([
    ['apim_websockets', 'apim_websocket'],
    ['nginx_editon', 'nginx_edition'],
    ['tls_mod', 'tls_mode'],
    ['ansible_become_passwd', 'ansible_become_password'],
  ])('rejects %s and suggests %s', (wrong, right) => {
    const text = SINGLE_NODE.replace(
      'apim_pattern: single-node',
      `apim_pattern: single-node\n      ${wrong}: x`,
    );
    const r = loadText(text);
    const d = diag(r.diagnostics, `unknown variable ${wrong}`);
    expect(d).toMatchObject({ severity: 'error', key: `all.vars.${wrong}`, line: lineOf(text, wrong) });
    expect(d.message).toContain(`did you mean "${right}"`);
  });

  it('checks names in group_vars and host_vars files, located in that file', () => {
    const r = loadText(SINGLE_NODE, {
      'group_vars/loadbalancers.yml': 'apim_hsts: true\napim_pasthrough: true\n',
      'host_vars/lb1/tls.yml': '\ntls_dayz: 30\n',
    });
    const a = diag(r.diagnostics, 'unknown variable apim_pasthrough');
    expect(a).toMatchObject({
      file: `${r.dir}/group_vars/loadbalancers.yml`,
      line: 2,
      key: 'apim_pasthrough',
    });
    const b = diag(r.diagnostics, 'unknown variable tls_dayz');
    expect(b).toMatchObject({ file: `${r.dir}/host_vars/lb1/tls.yml`, line: 2, column: 1 });
    expect(b.message).toContain('did you mean "tls_days"');
  });

  it('keeps other variables as free template variables', () => {
    const r = loadText(
      SINGLE_NODE.replace('apim_pattern: single-node', 'apim_pattern: single-node\n      my_banner: hello'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory!.hosts.get('lb1')!.vars.my_banner).toBe('hello');
  });

  it('warns about variable names no template can read (Ansible keeps them)', () => {
    const r = loadText(
      SINGLE_NODE.replace('apim_pattern: single-node', 'apim_pattern: single-node\n      my-var: 1'),
    );
    const d = diag(r.diagnostics, '"my-var" is not a valid variable name');
    expect(d).toMatchObject({ key: 'all.vars.my-var', severity: 'warning' });
  });
});

describe('did-you-mean', () => {
  it('measures edit distance', () => {
    expect(levenshtein('chidren', 'children')).toBe(1);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });

  it('suggests only plausible typos', () => {
    expect(closest('host', ['hosts', 'children', 'vars'])).toBe('hosts');
    expect(closest('database', ['hosts', 'children', 'vars'])).toBeUndefined();
  });
});
