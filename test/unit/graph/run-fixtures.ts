import type { Change, HostResult, RunSummary, TaskResult } from '../../../src/engine/types.js';

function task(module: string, changes: Change[], status: TaskResult['status'] = 'changed'): TaskResult {
  return { task: module, module, status, changes, durationMs: 5, warnings: [] };
}

function host(name: string, status: HostResult['status'], tasks: TaskResult[], error?: string): HostResult {
  return { host: name, status, tasks, durationMs: 10, roundTrips: 4, ...(error ? { error } : {}) };
}

const CONF = '/etc/nginx/conf.d/apim.conf';

/** Check mode on a bare host: nginx installed, certificate and key created, new conf.d file, reload. */
export const firstInstall = (name: string): HostResult =>
  host(name, 'changed', [
    task('apim_nginx_install', [
      { kind: 'package', action: 'install', target: 'nginx', summary: 'install nginx' },
    ]),
    task('apim_tls_certificates', [
      { kind: 'directory', action: 'create', target: '/etc/nginx/ssl', summary: 'mode 0700' },
      { kind: 'file', action: 'create', target: '/etc/nginx/ssl/apim.crt', summary: 'mode 0644, root:root' },
      {
        kind: 'file',
        action: 'create',
        target: '/etc/nginx/ssl/apim.key',
        summary: 'mode 0600, root:root',
        secret: true,
      },
    ]),
    task('apim_lb_config', [
      { kind: 'file', action: 'create', target: CONF, summary: 'mode 0644, root:root' },
      { kind: 'directory', action: 'create', target: '/etc/nginx/log/api/https', summary: 'mode 0755' },
      { kind: 'directory', action: 'create', target: '/etc/nginx/log/api/http', summary: 'mode 0755' },
      { kind: 'directory', action: 'create', target: '/etc/nginx/log/gw/https', summary: 'mode 0755' },
    ]),
    task('nginx_reload', [
      { kind: 'reload', action: 'reload', target: 'nginx', summary: 'nginx -t, swap, reload' },
    ]),
  ]);

/** A host whose conf.d file was edited by hand: the file is updated, then nginx reloaded. */
export const drifted = (name: string): HostResult =>
  host(name, 'changed', [
    task('apim_nginx_install', [], 'ok'),
    task('apim_tls_certificates', [], 'ok'),
    task('apim_lb_config', [{ kind: 'file', action: 'update', target: CONF, summary: 'content' }]),
    task('nginx_reload', [
      { kind: 'reload', action: 'reload', target: 'nginx', summary: 'nginx -t, swap, reload' },
    ]),
  ]);

export const unchanged = (name: string): HostResult =>
  host(name, 'ok', [task('apim_nginx_install', [], 'ok'), task('apim_lb_config', [], 'ok')]);

export const unreachable = (name: string): HostResult =>
  host(name, 'unreachable', [], 'connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap');

export const failed = (name: string, error: string): HostResult =>
  host(
    name,
    'failed',
    [task('apim_lb_config', [{ kind: 'file', action: 'update', target: CONF, summary: 'content' }])],
    error,
  );

/** A playbook of the user's own: a generic `copy` and `package` task. */
export const genericTasks = (name: string): HostResult =>
  host(name, 'changed', [
    task('package', [{ kind: 'package', action: 'install', target: 'nginx-extras', summary: 'install' }]),
    task('copy', [
      { kind: 'file', action: 'create', target: '/etc/nginx/conf.d/extra.conf', summary: 'mode 0644' },
    ]),
    task('service', [{ kind: 'service', action: 'restart', target: 'nginx', summary: 'restart' }]),
  ]);

export function summary(check: boolean, hosts: HostResult[]): RunSummary {
  return {
    command: 'apply',
    check,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 100,
    hosts,
    interrupted: false,
    warnings: [],
  };
}
