import { execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX_BINARY = '/usr/sbin/nginx';

/**
 * A real nginx in a temp folder: `<base>/conf` is the conf prefix (nginx.conf includes conf.d with
 * an ABSOLUTE path, to prove the stage rewrite), `<base>/run` holds pid and error log (outside the
 * prefix), `<base>/state` is the tool's state folder.
 */
/** The fields of a transaction's spec that name this nginx and its state folder. */
export function nginxSpecFields(lb: LocalNginx) {
  return {
    stateDir: lb.stateDir,
    confPrefix: lb.prefix,
    confPath: lb.confPath,
    nginxBinary: NGINX_BINARY,
    nginxPrefix: `${lb.prefix}/`,
    serviceManager: 'none',
  } as const;
}

export interface LocalNginx {
  base: string;
  prefix: string;
  confPath: string;
  siteConf: string;
  stateDir: string;
  pidFile: string;
  errorLog: string;
  port: number;
  masterPid(): number;
  workerPids(): number[];
  get(port?: number): Promise<{ status: number; body: string }>;
  siteConfig(body: string, port?: number): string;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent) pids.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return pids.sort((a, b) => a - b);
}

export function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startLocalNginx(): Promise<LocalNginx> {
  const base = mkdtempSync(join(tmpdir(), 'apim-nginx-'));
  const prefix = join(base, 'conf');
  const run = join(base, 'run');
  const stateDir = join(base, 'state');
  mkdirSync(join(prefix, 'conf.d'), { recursive: true });
  mkdirSync(run);
  const port = await freePort();
  const confPath = join(prefix, 'nginx.conf');
  const pidFile = join(run, 'nginx.pid');
  const errorLog = join(run, 'error.log');
  const siteConf = join(prefix, 'conf.d', 'site.conf');
  const siteConfig = (body: string, p = port) =>
    `server {\n    listen 127.0.0.1:${p};\n    access_log off;\n    return 200 "${body}";\n}\n`;
  writeFileSync(
    confPath,
    [
      `pid ${pidFile};`,
      `error_log ${errorLog};`,
      'worker_processes 1;',
      'events { worker_connections 64; }',
      'http {',
      '    access_log off;',
      `    include ${prefix}/conf.d/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(siteConf, siteConfig('v1'));
  execFileSync(NGINX_BINARY, ['-c', confPath, '-p', `${prefix}/`], { stdio: 'pipe' });
  const masterPid = () => Number(readFileSync(pidFile, 'utf8').trim());
  await waitFor(() => existsSync(pidFile) && childPids(masterPid()).length > 0, 'nginx to start');
  return {
    base,
    prefix,
    confPath,
    siteConf,
    stateDir,
    pidFile,
    errorLog,
    port,
    masterPid,
    workerPids: () => childPids(masterPid()),
    get: (p = port) => httpGet(p),
    siteConfig,
    stop() {
      try {
        process.kill(masterPid(), 'SIGQUIT');
      } catch {
        // already gone
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a generated script with `<shell> -s` (as the engine does through sudo). */
export function runShell(
  script: string,
  options: { shell?: string; env?: Record<string, string>; onStdout?: (chunk: string) => void } = {},
): { done: Promise<ScriptRun>; pid: number } {
  const child = spawn(options.shell ?? 'sh', ['-s'], {
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    options.onStdout?.(c);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(script);
  const done = new Promise<ScriptRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, pid: child.pid ?? -1 };
}
