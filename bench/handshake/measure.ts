// What one SSH connection costs, apim-provision's transport against OpenSSH, on the bench hosts:
//
//   npx tsx bench/handshake/measure.ts <hosts file> <known_hosts> <key> <rounds> <out.tsv>
//
// <hosts file> has lines `name ip container` (bench/run.sh writes it). Every variant connects to
// every host in turn, `rounds` times (one connection at a time, so each figure is the cost of one
// connection and nothing queues), logs in with the key, runs `true` and disconnects. A variant:
//   - ours:               the real transport (src/transport/connect.ts), the algorithms it offers;
//   - ssh2 defaults:      ssh2's Client with ssh2's own algorithm lists;
//   - ssh2 <one change>:  our algorithms with one of them swapped (key exchange, host key, cipher),
//                         to show what each choice costs;
//   - OpenSSH defaults:   `ssh -F /dev/null ... true` (a fresh process per connection, as Ansible
//                         and the floors use it), and OpenSSH forced to our algorithms.
// Figures per connection: controller CPU (ours: this process; OpenSSH: the ssh processes, from
// /proc/self/stat cutime+cstime), host CPU (the containers' cgroups: sshd, the shell, `true`) and
// wall time. Rows: variant, connections, controller_cpu_ms, host_cpu_ms, wall_ms, negotiated.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import ssh2, { type Algorithms, type ConnectConfig } from 'ssh2';

import type { ConnectionSpec } from '../../src/domain/types.js';
import { SSH_ALGORITHMS } from '../../src/transport/algorithms.js';
import { connect } from '../../src/transport/connect.js';

const [hostsFile, knownHosts, keyFile, roundsText, out] = process.argv.slice(2);
if (!hostsFile || !knownHosts || !keyFile || !roundsText || !out) {
  process.stderr.write('usage: measure.ts <hosts file> <known_hosts> <key> <rounds> <out.tsv>\n');
  process.exit(5);
}
const rounds = Number(roundsText);
const root = join(import.meta.dirname, '..', '..');
const hosts = readFileSync(hostsFile, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const [name, ip, container] = l.split(' ');
    return { name: name!, ip: ip!, container: container! };
  });
const containerIds = spawnSync('docker', ['inspect', '-f', '{{.Id}}', ...hosts.map((h) => h.container)], {
  encoding: 'utf8',
})
  .stdout.split('\n')
  .filter((l) => l !== '');

/** CPU the bench containers used so far (bench/lib/containers-cpu.sh, as bench/run.sh reads it). */
function hostsCpuS(): number {
  const r = spawnSync('bash', [join(root, 'bench', 'lib', 'containers-cpu.sh'), ...containerIds], {
    encoding: 'utf8',
  });
  const seconds = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(seconds))
    throw new Error(`cannot read the containers' CPU: ${r.stderr}`);
  return seconds;
}
const privateKey = readFileSync(keyFile);

/** CPU of this process's waited-for children (the ssh clients), in seconds. */
function childrenCpuS(): number {
  // /proc/self/stat: fields after the command name; cutime and cstime are fields 16 and 17.
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function selfCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

type Once = (host: (typeof hosts)[number]) => Promise<string>;

/** Our transport, exactly as `apply` connects (host key check, key auth), then `true`. */
const ours: Once = async (host) => {
  const spec: ConnectionSpec = {
    host: host.ip,
    port: 22,
    user: 'vagrant',
    privateKeyFile: keyFile,
    become: false,
    becomeUser: 'root',
    jumpHosts: [],
  };
  let negotiated = '';
  const connection = await connect(
    { name: host.name, connection: spec },
    {
      knownHostsFiles: [knownHosts],
      acceptNewHostKeys: false,
      agentSocket: '',
      defaultKeyFiles: [],
      onTrace: (e) => {
        if (e.message.includes('key exchange')) negotiated = e.message.replace(/^\S+: /, '');
      },
    },
  );
  const result = await connection.run('true');
  await connection.close();
  if (result.code !== 0) throw new Error(`true exited ${result.code} on ${host.name}`);
  return negotiated;
};

/** ssh2's Client with the given algorithms (host key: the listed ones; known_hosts not consulted). */
function raw(algorithms: Algorithms | undefined): Once {
  return (host) =>
    new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let negotiated = '';
      client.on('handshake', (n) => {
        negotiated = `key exchange ${n.kex}, host key ${n.serverHostKey}, cipher ${n.cs.cipher}${n.cs.mac ? ` with ${n.cs.mac}` : ''}`;
      });
      client.on('error', reject);
      client.on('ready', () =>
        client.exec('true', (err, stream) => {
          if (err) return reject(err);
          stream.on('close', () => {
            client.end();
            resolve(negotiated);
          });
          stream.resume();
          stream.stderr.resume();
        }),
      );
      const config: ConnectConfig = { host: host.ip, port: 22, username: 'vagrant', privateKey };
      if (algorithms) config.algorithms = algorithms;
      client.connect(config);
    });
}

const OPENSSH_BASE = [
  '-F',
  '/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  'ControlMaster=no',
  '-o',
  'ControlPath=none',
  '-o',
  `UserKnownHostsFile=${knownHosts}`,
  '-o',
  'GlobalKnownHostsFile=/dev/null',
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'IdentitiesOnly=yes',
  '-i',
  keyFile,
  '-l',
  'vagrant',
];

function openssh(extra: string[]): Once {
  return async (host) => {
    const r = spawnSync('ssh', [...OPENSSH_BASE, ...extra, '-v', host.ip, 'true'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ssh to ${host.name} exited ${r.status}: ${r.stderr}`);
    const kex = /kex: algorithm: (\S+)/.exec(r.stderr)?.[1];
    const hostKey = /kex: host key algorithm: (\S+)/.exec(r.stderr)?.[1];
    const cipher = /kex: client->server cipher: (\S+) MAC: (\S+)/.exec(r.stderr);
    const mac = cipher?.[2] && cipher[2] !== '<implicit>' ? ` with ${cipher[2]}` : '';
    return `key exchange ${kex}, host key ${hostKey}, cipher ${cipher?.[1]}${mac}`;
  };
}

const A = SSH_ALGORITHMS;
const swap = (change: Partial<Algorithms>): Algorithms => ({
  ...A,
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512'],
  ...change,
});

const variants: Array<{ name: string; inProcess: boolean; once: Once }> = [
  { name: 'apim-provision (ours)', inProcess: true, once: ours },
  { name: 'ssh2 defaults', inProcess: true, once: raw(undefined) },
  { name: 'ssh2, kex ecdh-sha2-nistp256', inProcess: true, once: raw(swap({ kex: ['ecdh-sha2-nistp256'] })) },
  {
    name: 'ssh2, kex diffie-hellman-group14-sha256',
    inProcess: true,
    once: raw(swap({ kex: ['diffie-hellman-group14-sha256'] })),
  },
  {
    name: 'ssh2, kex diffie-hellman-group16-sha512',
    inProcess: true,
    once: raw(swap({ kex: ['diffie-hellman-group16-sha512'] })),
  },
  {
    name: 'ssh2, host key ecdsa-sha2-nistp256',
    inProcess: true,
    once: raw(swap({ serverHostKey: ['ecdsa-sha2-nistp256'] })),
  },
  {
    name: 'ssh2, host key rsa-sha2-512',
    inProcess: true,
    once: raw(swap({ serverHostKey: ['rsa-sha2-512'] })),
  },
  {
    name: 'ssh2, cipher chacha20-poly1305',
    inProcess: true,
    once: raw(swap({ cipher: ['chacha20-poly1305@openssh.com'] })),
  },
  {
    name: 'ssh2, cipher aes128-ctr + hmac-sha2-256-etm',
    inProcess: true,
    once: raw(swap({ cipher: ['aes128-ctr'], hmac: ['hmac-sha2-256-etm@openssh.com'] })),
  },
  { name: 'OpenSSH defaults', inProcess: false, once: openssh([]) },
  {
    name: 'OpenSSH, our algorithms',
    inProcess: false,
    once: openssh([
      '-o',
      'KexAlgorithms=curve25519-sha256',
      '-o',
      'HostKeyAlgorithms=ssh-ed25519',
      '-o',
      'Ciphers=aes128-gcm@openssh.com',
    ]),
  },
];

const rows = ['variant\tconnections\tcontroller_cpu_ms\thost_cpu_ms\twall_ms\tnegotiated'];
for (const variant of variants) {
  await variant.once(hosts[0]!); // warm-up: module code compiled, caches filled, not counted
  // The cgroup reader is a child process too: read the hosts outside the controller's window.
  const host0 = hostsCpuS();
  const cpu0 = variant.inProcess ? selfCpuS() : childrenCpuS();
  const wall0 = performance.now();
  const seen = new Set<string>();
  for (let round = 0; round < rounds; round++) for (const host of hosts) seen.add(await variant.once(host));
  const wallMs = performance.now() - wall0;
  const cpuS = (variant.inProcess ? selfCpuS() : childrenCpuS()) - cpu0;
  const hostS = hostsCpuS() - host0;
  const n = rounds * hosts.length;
  const fmt = (v: number) => v.toFixed(2);
  rows.push(
    [
      variant.name,
      n,
      fmt((cpuS * 1000) / n),
      fmt((hostS * 1000) / n),
      fmt(wallMs / n),
      [...seen].join('; '),
    ].join('\t'),
  );
  process.stderr.write(
    `bench: handshake ${variant.name}: ${rows.at(-1)!.split('\t').slice(2, 5).join(' / ')} ms\n`,
  );
}
writeFileSync(out, rows.join('\n') + '\n');
