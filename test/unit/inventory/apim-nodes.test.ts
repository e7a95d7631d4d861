/**
 * Which API-M nodes the node play configures (group apim_nodes), what it leaves alone and why, and
 * the node-side checks of validate: hand-set settings against the load balancer, bad node variables.
 */
import { describe, expect, it } from 'vitest';
import { diag, errors, lineOf, loadText } from './helpers.js';

const inventory = (nodeVars: string, lbVars = '') => `
all:
  children:
    loadbalancers:
      hosts:
        lb1:
          ansible_host: 198.51.100.10
${lbVars}
      vars:
        apim_version: '4.x'
        apim_pattern: active-active
    apim_all_in_one:
      hosts:
        apim1:
          ansible_host: 192.0.2.10
${nodeVars}
        apim2:
          apim_address: 192.0.2.11
`;

describe('the nodes the node play configures', () => {
  it('configures nodes with connection details, leaves the others alone with the reason', () => {
    const { inventory: inv, diagnostics } = loadText(inventory(''));
    expect(errors(diagnostics)).toEqual([]);
    expect(inv!.apimNodes.map((n) => n.host.name)).toEqual(['apim1']);
    expect(inv!.groups.get('apim_nodes')!.hosts).toEqual(['apim1']);
    expect(inv!.nodesLeftAlone.map((n) => n.name)).toEqual(['apim2']);
    expect(inv!.nodesLeftAlone[0]!.reason).toMatch(/no connection details \(ansible_host\)/);
    const node = inv!.apimNodes[0]!;
    expect(node.plan.proxy).toEqual({ hostname: 'api.am.wso2.com', proxyPort: 443 });
    expect(node.settings).toMatchObject({ startMethod: 'auto', restartTimeoutSeconds: 300 });
  });

  it('refuses a group of the inventory named apim_nodes, at its line', () => {
    const text = `${inventory('')}    apim_nodes:\n      hosts:\n        apim2: {}\n`;
    const { diagnostics } = loadText(text);
    const [problem] = errors(diagnostics);
    expect(problem?.message).toMatch(/group apim_nodes is the group apim-provision makes of the API-M nodes/);
    expect(problem?.line).toBe(lineOf(text, 'apim_nodes:'));
  });

  it('apim_configure_nodes: false on the load balancer opts every node out; on a node, that node', () => {
    const lbOff = loadText(inventory('', '          apim_configure_nodes: false'));
    expect(lbOff.inventory!.apimNodes).toEqual([]);
    expect(lbOff.inventory!.nodesLeftAlone.map((n) => n.reason)).toContain(
      'apim_configure_nodes is false for its load balancer (set it true for the node to configure it)',
    );
    const nodeOff = loadText(inventory('          apim_configure_nodes: false'));
    expect(nodeOff.inventory!.apimNodes).toEqual([]);
  });

  it('validate refuses a hand-set hostname the load balancer does not serve for the node (file, line, key)', () => {
    const { diagnostics } = loadText(
      inventory('          apim_node_settings: { "server.hostname": "node1.internal" }'),
    );
    const d = diag(diagnostics, 'a name the load balancer does not serve');
    expect(d.severity).toBe('error');
    expect(d.key).toContain('apim_node_settings');
    expect(d.line).toBeGreaterThan(0);
  });

  it('validate refuses node variables that cannot be used, before anything is contacted', () => {
    const { diagnostics } = loadText(
      inventory(
        [
          '          apim_home: relative/path',
          '          apim_health_url: "ftp://x"',
          '          apim_service: apim.service',
        ].join('\n'),
      ),
    );
    expect(diag(diagnostics, 'apim_home').severity).toBe('error');
    expect(diag(diagnostics, 'apim_health_url').severity).toBe('error');
    expect(diag(diagnostics, 'apim_service names a service, but apim_start_method is auto').severity).toBe(
      'error',
    );
  });
});
