import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPlaybookPath } from '../../../src/playbook/default-path.js';
import { MODULE_CATALOG } from '../../../src/modules/index.js';
import { loadPlaybook } from '../../../src/playbook/load-playbook.js';
import { BUILTIN_VARS, checkUndefinedVariables } from '../../../src/playbook/undefined-variables.js';

const builtins = Object.fromEntries(BUILTIN_VARS.map((v) => [v, 'x']));

describe('defaultPlaybookPath', () => {
  it('is the absolute path of the packaged playbooks/site.yml', () => {
    const path = defaultPlaybookPath();
    expect(isAbsolute(path)).toBe(true);
    expect(path.endsWith(join('playbooks', 'site.yml'))).toBe(true);
    expect(existsSync(path)).toBe(true);
  });
});

describe('playbooks/site.yml', () => {
  const { playbook, diagnostics } = loadPlaybook(defaultPlaybookPath(), MODULE_CATALOG);

  it('loads without any diagnostic', () => {
    expect(diagnostics).toEqual([]);
    expect(playbook).toBeDefined();
  });

  it('runs the WSO2 procedure on the load balancers, with privileges', () => {
    const [play] = playbook!.plays;
    expect(play!.hosts).toBe('loadbalancers');
    expect(play!.become).toBe(true);
    expect(play!.tasks.map((t) => t.module)).toEqual([
      'apim_nginx_install',
      'apim_tls_certificates',
      'apim_lb_config',
    ]);
    expect(play!.tasks[0]!.args).toEqual({ edition: 'auto' });
  });

  it('then configures the API-M nodes (group apim_nodes), restarting changed nodes in a rolling handler', () => {
    const [, nodes, ...others] = playbook!.plays;
    expect(others).toEqual([]);
    expect(nodes!.hosts).toBe('apim_nodes');
    expect(nodes!.become).toBe(true);
    expect(nodes!.tasks.map((t) => [t.module, t.notify])).toEqual([
      ['apim_node_config', ['restart API-M']],
      ['apim_node_truststore', ['restart API-M']],
    ]);
    expect(nodes!.handlers.map((h) => [h.name, h.module, h.args])).toEqual([
      ['restart API-M', 'apim_node_restart', { rolling: true }],
    ]);
  });

  it('notifies the validating reload handler when certificates or configuration change', () => {
    const play = playbook!.plays[0]!;
    expect(play.handlers.map((h) => [h.name, h.module])).toEqual([
      ['validate and reload nginx', 'nginx_reload'],
    ]);
    expect(
      play.tasks.filter((t) => t.notify.includes('validate and reload nginx')).map((t) => t.module),
    ).toEqual(['apim_tls_certificates', 'apim_lb_config']);
  });

  it('needs no variables besides the built-ins', () => {
    expect(checkUndefinedVariables(playbook!, () => new Map([['lb1', {}]]), MODULE_CATALOG)).toEqual([]);
  });
});

describe('playbooks/examples/maintenance-page.yml', () => {
  const file = join(defaultPlaybookPath(), '..', 'examples', 'maintenance-page.yml');
  const { playbook, diagnostics } = loadPlaybook(file, MODULE_CATALOG);

  it('loads without any diagnostic and uses the generic modules', () => {
    expect(diagnostics).toEqual([]);
    const modules = new Set(playbook!.plays[0]!.tasks.map((t) => t.module));
    expect([...modules].sort()).toEqual(['command', 'copy', 'file', 'template']);
  });

  it('resolves src in files/ and templates/ next to the playbook', () => {
    const srcs = playbook!.plays[0]!.tasks.filter((t) => t.args.src).map((t) => t.args.src as string);
    expect(srcs.map((s) => s.split('/').slice(-2).join('/'))).toEqual([
      'files/index.html',
      'templates/maintenance.conf.j2',
    ]);
    for (const s of srcs) expect(existsSync(s)).toBe(true);
  });

  it('references only defined variables (play vars, built-ins, loop variables)', () => {
    expect(checkUndefinedVariables(playbook!, () => new Map([['lb1', builtins]]), MODULE_CATALOG)).toEqual(
      [],
    );
  });

  it('carries tags from strings and lists', () => {
    expect(playbook!.plays[0]!.tasks.map((t) => t.tags)).toEqual([
      ['page'],
      ['page'],
      ['page', 'nginx'],
      ['nginx'],
      ['page'],
    ]);
  });
});
