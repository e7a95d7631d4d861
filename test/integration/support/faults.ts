/**
 * Fault injection on the lab machine lb-faults, from outside the SSH connection the tool uses:
 * `docker exec` into its container (root), and signals from the controller to the container's
 * processes (the container is not privileged, so mounts are made by entering its mount namespace
 * from the controller, which is root here). Plus the checks every fault ends with: a real HTTPS
 * request through the load balancer and `nginx -t` on the host.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { requestThroughLb } from '../../../src/lab/request-through-lb.js';
import type { Lab, LabMachine } from '../../../src/lab/index.js';
export { startCli, type RunningCli } from './cli.js';

/** The tool's state folder on the host (src/engine/run-options.ts REMOTE_STATE_DIR). */
export const STATE_DIR = '/var/lib/apim-provision';
/** Read by the paused transaction of the test-only CLI entry (hooked-cli.ts, test/support/pause-hook.ts). */
export const PAUSE_FILE = `${STATE_DIR}/test-pause-seconds`;
/** The portal hostname of the single-node pattern, answered by stand-in aio1. */
export const PORTAL = 'api.am.wso2.com';

export interface FaultHost {
  lab: Lab;
  machine: LabMachine;
  /** Docker container of the machine (`<APIM_LAB_PREFIX, default apim-lab>-<name>`). */
  container: string;
  /** The local CA that signs the load balancer certificates of the lab inventories. */
  caFile: string;
}

export async function faultHost(lab: Lab, name: string): Promise<FaultHost> {
  const machine = lab.machines[name];
  if (!machine) throw new Error(`the lab has no machine ${name}`);
  const names = (await execa('docker', ['ps', '--format', '{{.Names}}'])).stdout.split('\n');
  const wanted = `${process.env.APIM_LAB_PREFIX ?? 'apim-lab'}-${name}`;
  const container = names.find((n) => n === wanted);
  if (!container) throw new Error(`no running container ${wanted} (docker ps: ${names.join(', ')})`);
  const caFile = join(lab.dir, 'inventories', '.apim-provision', 'pki', 'ca.crt');
  return { lab, machine, container, caFile };
}

export interface HostCommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A root shell command inside the container, not over SSH (so a cut SSH session does not affect it). */
export async function dockerSh(host: FaultHost, script: string): Promise<HostCommandResult> {
  const r = await execa('docker', ['exec', host.container, 'sh', '-c', script], { reject: false });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like dockerSh, throwing when the command fails. */
export async function dockerRun(host: FaultHost, script: string): Promise<string> {
  const r = await dockerSh(host, script);
  if (r.code !== 0) throw new Error(`${host.container}: \`${script}\` exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The controller-side pid of the container's first process (sshd's listener in the lab images). */
export async function containerInitPid(host: FaultHost): Promise<number> {
  const out = await execa('docker', ['inspect', '-f', '{{.State.Pid}}', host.container]);
  return Number(out.stdout.trim());
}

/** Runs a command in the container's mount namespace with the controller's (root) privileges. */
export async function inMountNamespace(host: FaultHost, args: string[]): Promise<void> {
  const pid = await containerInitPid(host);
  await execa('nsenter', ['-t', String(pid), '-m', '--', ...args]);
}

export interface Served {
  status: number;
  /** Stand-in node that answered (from its JSON echo). */
  node: string;
  /** Whether the portal answered with HSTS (v1 has it, v2 does not). */
  hsts: boolean;
}

/** One HTTPS request through the load balancer, SNI and Host = the portal name, verified by the lab CA. */
export async function requestPortal(host: FaultHost): Promise<Served> {
  const r = await requestThroughLb({
    address: host.machine.ip,
    hostname: PORTAL,
    path: '/faults-probe',
    ca: readFileSync(host.caFile, 'utf8'),
  });
  return {
    status: r.status,
    node: standinNode(r.body),
    hsts: r.headers['strict-transport-security'] !== undefined,
  };
}

/** The stand-in's JSON echo names the node; anything else is shown as it came. */
function standinNode(body: string): string {
  try {
    return (JSON.parse(body) as { node?: string }).node ?? '';
  } catch {
    return `(not JSON: ${body.slice(0, 80)})`;
  }
}

/** `nginx -t` of the live configuration on the host. */
export async function nginxTest(host: FaultHost): Promise<HostCommandResult> {
  return dockerSh(host, 'nginx -t 2>&1');
}

export async function fileSha(host: FaultHost, path: string): Promise<string> {
  return (await dockerRun(host, `sha256sum ${path} | cut -d' ' -f1`)).trim();
}

export async function exists(host: FaultHost, path: string): Promise<boolean> {
  return (await dockerSh(host, `test -e ${path}`)).code === 0;
}

export async function setPause(host: FaultHost, seconds: number | null): Promise<void> {
  await dockerRun(
    host,
    seconds === null ? `rm -f ${PAUSE_FILE}` : `mkdir -p ${STATE_DIR} && echo ${seconds} >${PAUSE_FILE}`,
  );
}

/** Names of the transaction logs on the host (one per run id). */
export async function runLogs(host: FaultHost): Promise<Set<string>> {
  const out = await dockerSh(host, `ls ${STATE_DIR}/runs 2>/dev/null`);
  return new Set(out.stdout.split('\n').filter(Boolean));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A transaction paused at the test hook: its run log's name and the pid of the shell running it. */
export interface PausedTransaction {
  log: string;
  pid: number;
}

/**
 * Waits until a transaction not in `before` pauses at the test hook. Its program came on stdin
 * (its command line is `sh -s`, like any other's), so its pid is read from its `paused` log line.
 */
export function waitForPause(
  host: FaultHost,
  before: Set<string>,
  timeoutMs = 60_000,
): Promise<PausedTransaction> {
  return until('a transaction to pause at the test hook', timeoutMs, async () => {
    for (const log of await runLogs(host)) {
      if (before.has(log)) continue;
      const r = await dockerSh(host, `sed -n 's/^@@APIM paused //p' ${STATE_DIR}/runs/${log}`);
      const pid = Number(r.stdout.trim());
      if (r.code === 0 && Number.isInteger(pid) && pid > 1) return { log, pid };
    }
    return undefined;
  });
}

/** Waits until the paused transaction has ended on the host; returns its final status. */
export function waitForTransactionEnd(
  host: FaultHost,
  { log, pid }: PausedTransaction,
  timeoutMs = 60_000,
): Promise<string> {
  return until(`transaction ${log} to end`, timeoutMs, async () => {
    const status = await dockerSh(host, `sed -n 's/^@@APIM status //p' ${STATE_DIR}/runs/${log} | tail -n 1`);
    const running = await dockerSh(host, `kill -0 ${pid}`);
    const s = status.stdout.trim();
    return s !== '' && running.code !== 0 ? s : undefined;
  });
}

/** Kills (SIGKILL) the paused transaction's shell and its children: a host-side crash mid-way. */
export async function killTransaction(host: FaultHost, { pid }: PausedTransaction): Promise<void> {
  await dockerRun(
    host,
    // Stopped first: a shell whose sleep dies before the shell itself would otherwise run on (its
    // swap) in the moment between the two kills, which a loaded machine makes long enough.
    `kill -STOP ${pid} && pkill -9 -P ${pid}; kill -9 ${pid}; true`,
  );
}

/** Cuts the tool's SSH connection from the host side (its per-session sshd processes). */
export async function dropSshSessions(host: FaultHost, user = 'vagrant'): Promise<void> {
  // The bracket keeps pkill from matching the `sh -c` that runs it.
  await dockerRun(host, `pkill -f '[s]shd: ${user}' || true`);
}

/** A TCP port on 127.0.0.1 nothing listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The tasks of the built-in playbook (playbooks/site.yml) with an extra conf.d file, in a temp folder. */
export function writeExtraFilePlaybook(dir: string, dest: string, content: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'extra-file.yml');
  writeFileSync(
    file,
    [
      '- name: WSO2 load balancer plus one extra file',
      '  hosts: loadbalancers',
      '  become: true',
      '  tasks:',
      '    - name: Install NGINX',
      '      apim_nginx_install:',
      '        edition: auto',
      '    - name: TLS certificate and key',
      '      apim_tls_certificates:',
      '      notify: validate and reload nginx',
      '    - name: Pattern configuration',
      '      apim_lb_config:',
      '      notify: validate and reload nginx',
      '    - name: Extra conf.d file',
      '      copy:',
      `        dest: ${dest}`,
      `        content: ${JSON.stringify(content)}`,
      '      notify: validate and reload nginx',
      '  handlers:',
      '    - name: validate and reload nginx',
      '      nginx_reload:',
      '',
    ].join('\n'),
  );
  return file;
}
