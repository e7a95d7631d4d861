import { PassThrough } from 'node:stream';
import type { Change, HostResult, RunObserver, RunSummary, TaskResult } from '../../../src/engine/types.js';

/** A writable stream that remembers what was written, like a pipe into a log file. */
export function captureStream(
  isTTY = false,
): PassThrough & { text(): string; writes(): string[]; isTTY: boolean; columns: number } {
  const chunks: string[] = [];
  const stream = new PassThrough() as PassThrough & {
    text(): string;
    writes(): string[];
    isTTY: boolean;
    columns: number;
  };
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  stream.text = () => chunks.join('');
  stream.writes = () => [...chunks];
  stream.isTTY = isTTY;
  stream.columns = 120;
  return stream;
}

/** The plain reporter writes at the end of the event-loop turn: what it wrote is there after this. */
export const turnEnd = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export const confChange: Change = {
  kind: 'file',
  action: 'update',
  target: '/etc/nginx/conf.d/apim.conf',
  summary: 'mode 0644',
  diff: '--- before: /etc/nginx/conf.d/apim.conf\n+++ after: /etc/nginx/conf.d/apim.conf\n@@ -1,1 +1,1 @@\n-server_name old.example.com;\n+server_name api.example.com;\n',
};

export const certChange: Change = {
  kind: 'file',
  action: 'create',
  target: '/etc/nginx/ssl/apim.crt',
  summary: 'mode 0644',
  certificate: {
    subject: 'CN=api.example.com',
    issuer: 'CN=apim-provision local CA',
    sans: ['api.example.com', 'gw.example.com'],
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2025-12-31T00:00:00.000Z',
    fingerprintSha256: 'AB:CD:EF:01',
  },
};

export const keyChange: Change = {
  kind: 'file',
  action: 'create',
  target: '/etc/nginx/ssl/apim.key',
  summary: 'mode 0600',
  secret: true,
};

export function task(partial: Partial<TaskResult> & Pick<TaskResult, 'task' | 'status'>): TaskResult {
  return { module: 'file', changes: [], durationMs: 1200, warnings: [], ...partial };
}

export const lb1Tasks: TaskResult[] = [
  task({ task: 'Gather facts', module: 'facts', status: 'ok', durationMs: 300 }),
  task({ task: "Write the pattern's conf.d file", status: 'changed', changes: [confChange] }),
  task({ task: 'Install the certificate', status: 'changed', changes: [certChange, keyChange] }),
  task({ task: 'Install NGINX Plus', module: 'package', status: 'skipped', message: 'edition is oss' }),
];

export const lb2Tasks: TaskResult[] = [
  task({ task: 'Gather facts', module: 'facts', status: 'ok', durationMs: 250 }),
  task({
    task: 'Test the configuration',
    module: 'command',
    status: 'failed',
    durationMs: 400,
    message: 'nginx: [emerg] unknown directive "sticky"\nnginx: configuration file test failed',
  }),
];

export function sampleSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  const hosts: HostResult[] = [
    { host: 'lb1', status: 'changed', tasks: lb1Tasks, durationMs: 4100, roundTrips: 5 },
    {
      host: 'lb2-long-name',
      status: 'failed',
      tasks: lb2Tasks,
      durationMs: 1800,
      roundTrips: 4,
      error: 'nginx -t refused the configuration',
      rolledBack: true,
    },
    {
      host: 'lb3',
      status: 'unreachable',
      tasks: [],
      durationMs: 10_000,
      roundTrips: 0,
      error: 'connect ECONNREFUSED',
    },
  ];
  return {
    command: 'apply',
    check: false,
    startedAt: '2025-06-01T10:00:00.000Z',
    durationMs: 12_300,
    hosts,
    interrupted: false,
    warnings: ['edition auto: chose oss'],
    ...overrides,
  };
}

/** Replays a run as the engine would emit it: hosts interleaved, one warning per kind. */
export async function replay(observer: RunObserver, summary: RunSummary): Promise<void> {
  observer.runStarted(
    summary.hosts.map((h) => h.host),
    { check: summary.check, diff: true },
  );
  for (const h of summary.hosts) observer.hostStarted(h.host);
  observer.warning('edition auto: chose oss');
  for (const h of summary.hosts) {
    for (const t of h.tasks) {
      observer.taskStarted(h.host, t.task);
      await new Promise((r) => setTimeout(r, 1));
      observer.taskFinished(h.host, t);
    }
    observer.warning('sticky sessions use ip_hash', h.host);
    observer.hostFinished(h);
  }
  await observer.runFinished(summary);
}
