// What steps.ts and sessions.ts share: the first bench host of a size folder, how it is logged in
// to, its container's CPU and processes, the scenario 3 edit, the floor's command lines, and a
// system call count of one run.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ConnectionSpec, Inventory, LoadBalancer } from '../../src/domain/types.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { apimQueries } from '../../src/modules/apim-paths.js';
import type { ConnectOptions } from '../../src/transport/connect-options.js';

const ROOT = join(import.meta.dirname, '..', '..');

export interface BenchHost {
  name: string;
  ip: string;
  /** The docker container's name and id. */
  container: string;
  containerId: string;
  lb: LoadBalancer;
  /** The conf.d file and the TLS files, as the plan's queries name them. */
  conf: string;
  certificate: string;
  key: string;
  /** How the bench's hosts are logged in to: user vagrant with the bench key, become root. */
  spec: ConnectionSpec;
  options: ConnectOptions;
}

/** The first host of a bench size folder (bench/run.sh's hosts, known_hosts and inventory.yml). */
export function firstBenchHost(dir: string, keyFile: string): BenchHost {
  const [name, ip, container] = readFileSync(join(dir, 'hosts'), 'utf8').split('\n')[0]!.split(' ');
  if (!name || !ip || !container) throw new Error(`no host in ${join(dir, 'hosts')}`);
  const { inventory } = loadInventory(join(dir, 'inventory.yml'), { secrets: 'ignore' }) as {
    inventory?: Inventory;
  };
  const lb = inventory?.loadBalancers.find((l) => l.host.name === name);
  if (!lb) throw new Error(`${name} is not a load balancer of ${join(dir, 'inventory.yml')}`);
  const first = apimQueries(lb, { diff: false })[0];
  if (first?.kind !== 'file') throw new Error('the first query is not the conf.d file');
  const containerId = spawnSync('docker', ['inspect', '-f', '{{.Id}}', container], {
    encoding: 'utf8',
  }).stdout.trim();
  if (!containerId) throw new Error(`no container ${container}`);
  return {
    name,
    ip,
    container,
    containerId,
    lb,
    conf: first.path,
    ...lb.deployment.tlsPaths,
    spec: {
      host: ip,
      port: 22,
      user: 'vagrant',
      privateKeyFile: keyFile,
      become: true,
      becomeUser: 'root',
      jumpHosts: [],
    },
    options: {
      knownHostsFiles: [join(dir, 'known_hosts')],
      acceptNewHostKeys: false,
      agentSocket: '',
      defaultKeyFiles: [],
    },
  };
}

/** bench/floor.sh's command lines: what a no-op and a check+diff must read, and no more. */
export function floorLines(h: BenchHost): { noop: string; checkDiff: string } {
  const files = `'${h.conf}' '${h.certificate}' '${h.key}'`;
  return {
    noop: `sudo -n sha256sum -- ${files} && /usr/sbin/nginx -V`,
    checkDiff: `sudo -n cat -- ${files}`,
  };
}

/** Every process of the container now (sshd, the open session's, nginx): strace follows their children. */
function containerPids(h: BenchHost): string[] {
  for (const file of [
    `/sys/fs/cgroup/cpuacct/docker/${h.containerId}/cgroup.procs`,
    `/sys/fs/cgroup/system.slice/docker-${h.containerId}.scope/cgroup.procs`,
    `/sys/fs/cgroup/docker/${h.containerId}/cgroup.procs`,
  ]) {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
    } catch {
      // the next cgroup layout
    }
  }
  throw new Error(`cannot list the processes of container ${h.container}`);
}

/** The CPU the container has used so far, in seconds (cgroup, bench/lib/containers-cpu.sh). */
export function hostCpuS(h: BenchHost): number {
  const r = spawnSync('bash', [join(ROOT, 'bench', 'lib', 'containers-cpu.sh'), h.containerId], {
    encoding: 'utf8',
  });
  const seconds = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(seconds))
    throw new Error(`cannot read the container's CPU: ${r.stderr}`);
  return seconds;
}

const EDIT_LINE = '# edited on the host by the host CPU bench';
/** Edits the conf.d file on the host as bench/run.sh does for scenario 3, or takes the edit back. */
export function editConf(h: BenchHost, edited: boolean): void {
  const sed = edited ? `1i ${EDIT_LINE}` : `1{/^${EDIT_LINE}$/d}`;
  const r = spawnSync('docker', ['exec', h.container, 'sed', '-i', sed, h.conf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot edit ${h.conf} on ${h.container}: ${r.stderr}`);
}

/**
 * Runs fn once while `strace -f -c` counts the system calls of the container's processes and their
 * children (this machine's strace, attached to them): the execve calls and all calls; strace's
 * table is left in `file`.
 */
export async function syscallsDuring(
  h: BenchHost,
  file: string,
  fn: () => Promise<void>,
): Promise<{ execs: number; total: number }> {
  const pids = containerPids(h).flatMap((pid) => ['-p', pid]);
  const strace = spawn('strace', ['-f', '-c', '-o', file, ...pids], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500)); // attached
  await fn();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the session's processes have ended
  strace.kill('SIGINT');
  await new Promise((resolve) => strace.once('exit', resolve));
  const text = readFileSync(file, 'utf8');
  const count = (call: string) =>
    Number(
      new RegExp(`^\\s*[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+(\\d+)(?:\\s+\\d+)?\\s+${call}$`, 'm').exec(text)?.[1] ??
        0,
    );
  return { execs: count('execve'), total: count('total') };
}
