/**
 * A fleet of simulated load balancers for the controller scale test: one ssh2 Server per host, each
 * listening on its own loopback address, answering apim-provision's remote protocol at once. The
 * answers are not written here: every program the engine sends (facts, transaction, ...) goes to the
 * engine tests' FakeHost model (test/unit/engine/support), which answers exactly what the real script
 * would print and keeps each host's files between runs. This file adds only what sshd and the login
 * shell do: authentication, the transport's `sh -c` / `sudo` wrapping, SFTP uploads of private
 * scripts, and `sh <upload>` / `rm -f <upload>`. When the protocol changes, the fakes change with it
 * (the engine's unit tests depend on them) and so does this simulation; a line it cannot map fails
 * loudly (exit 127, and counted in `stats().unexpected`).
 */
import { timingSafeEqual } from 'node:crypto';

import ssh2, { type Connection, type ParsedKey, type ServerChannel, type SFTPWrapper } from 'ssh2';

import { SUDO_GUARD } from '../../src/transport/become-detect.js';
import { shCommand, sudoCommand } from '../../src/transport/sudo-command.js';
import type { ExecResult } from '../../src/transport/types.js';
import { FakeHostConnection } from '../../test/unit/engine/support/fake-connection.js';
import { FakeHost } from '../../test/unit/engine/support/fake-host.js';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface FleetOptions {
  /** Number of hosts. */
  count: number;
  /** Host i (0-based) listens on `address(i)`, port `port` (0: a free port per host). */
  address: (index: number) => string;
  port: number;
  /** The fleet's one host key (OpenSSH or PEM private key text). */
  hostKey: string;
  /** Public key line (`type base64 ...`) accepted for login. */
  authorizedKey: string;
  /** The login user every host accepts, and the user sudo runs as (default root). */
  user: string;
  becomeUser?: string;
}

export interface FleetStats {
  connections: number;
  execs: number;
  uploads: number;
  /** Command lines the simulation could not map to the protocol (should stay 0). */
  unexpected: string[];
}

interface SimHost {
  name: string;
  host: FakeHost;
  uploads: Map<string, Buffer>;
}

/** Where one simulated host listens. */
export interface Endpoint {
  name: string;
  address: string;
  port: number;
}

export class SimulatedFleet {
  readonly hosts: SimHost[] = [];
  readonly #servers: InstanceType<typeof Server>[] = [];
  readonly #stats: FleetStats = { connections: 0, execs: 0, uploads: 0, unexpected: [] };
  readonly #authorized: ParsedKey;
  readonly #sudoPrefix: string;

  constructor(private readonly options: FleetOptions) {
    parsed(options.hostKey, 'host key'); // fails here, before anything listens
    this.#authorized = parsed(options.authorizedKey, 'authorized key');
    // What the transport puts before `sh -c <command>` for become (passwordless sudo).
    const becomeUser = options.becomeUser ?? 'root';
    this.#sudoPrefix = sudoCommand('', becomeUser).replace(/sh -c ''$/, '');
    for (let i = 0; i < options.count; i++) this.hosts.push(this.#freshHost(i));
  }

  /** Name of host i in the inventory the driver writes (`sim00001`, ...). */
  static hostName(index: number): string {
    return `sim${String(index + 1).padStart(5, '0')}`;
  }

  /** Listens on every host's address; returns where each one is. */
  async start(): Promise<Endpoint[]> {
    const { count, address, port } = this.options;
    const endpoints: Endpoint[] = [];
    for (let i = 0; i < count; i++) {
      // Looked up per connection: reset() replaces the host objects.
      const server = new Server({ hostKeys: [this.options.hostKey] }, (client) =>
        this.#serve(this.hosts[i]!, client),
      );
      this.#servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        // A deep backlog: the controller opens every connection at once.
        server.listen({ host: address(i), port, backlog: 4096 }, () => resolve());
      });
      const bound = server.address() as { port: number };
      endpoints.push({ name: this.hosts[i]!.name, address: address(i), port: bound.port });
    }
    return endpoints;
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
  }

  /** Every host back to a fresh nginx-preinstalled state (a first converge's starting point). */
  reset(): void {
    for (let i = 0; i < this.hosts.length; i++) this.hosts[i] = this.#freshHost(i);
  }

  /** Edits `path` on every host, as bench/run.sh does before its check-diff scenario. */
  edit(path: string): void {
    for (const { host, name } of this.hosts) {
      const file = host.files.get(path);
      if (!file) throw new Error(`${name} has no ${path} to edit: run a converge first`);
      file.content = Buffer.concat([Buffer.from('# edited on the host by the scale test\n'), file.content]);
    }
  }

  stats(): FleetStats {
    return { ...this.#stats, unexpected: [...this.#stats.unexpected] };
  }

  #freshHost(index: number): SimHost {
    const name = SimulatedFleet.hostName(index);
    return { name, host: FakeHost.withNginx(name), uploads: new Map() };
  }

  #serve(sim: SimHost, client: Connection): void {
    this.#stats.connections++;
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.username !== this.options.user || ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const wanted = this.#authorized.getPublicSSH();
      if (ctx.key.algo !== this.#authorized.type || !sameBytes(ctx.key.data, wanted)) return ctx.reject();
      // Without a signature the client only asks whether the key would do; with one it must verify.
      if (!ctx.signature) return ctx.accept();
      if (this.#authorized.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      return ctx.reject();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, info) => {
          const channel = accept();
          const stdin: Buffer[] = [];
          channel.on('data', (chunk: Buffer) => stdin.push(chunk));
          channel.on('end', () => {
            void this.#exec(sim, info.command, Buffer.concat(stdin)).then((r) => reply(channel, r));
          });
        });
        session.on('sftp', (accept) => this.#sftp(sim, accept()));
      });
    });
  }

  /** One exec request: the transport's wrapping undone, then the host's answer. */
  async #exec(sim: SimHost, line: string, stdin: Buffer): Promise<ExecResult> {
    this.#stats.execs++;
    // The first become command (transport/become-detect.ts): sudo is there and needs no password,
    // so the shell it starts prints the marker, then runs the command.
    const probed = this.#unwrapProbe(line);
    if (probed !== undefined) {
      const result = await this.#exec(sim, probed.line, stdin);
      this.#stats.execs--;
      return { ...result, stdout: `${probed.marker}\n${result.stdout}` };
    }
    const become = line.startsWith(this.#sudoPrefix);
    const command = unwrapSh(become ? line.slice(this.#sudoPrefix.length) : line);
    if (command === undefined) return this.#unexpected(line);
    const upload = /^sh ([^-\s]\S*)$/.exec(command)?.[1];
    if (upload !== undefined) {
      const script = sim.uploads.get(unquote(upload));
      if (script === undefined) return this.#unexpected(line);
      return new FakeHostConnection(sim.host).exec('sh -s', { stdin: script, become });
    }
    const removed = /^rm -f (\S+)$/.exec(command)?.[1];
    if (removed !== undefined && sim.uploads.delete(unquote(removed)))
      return { code: 0, stdout: '', stderr: '' };
    return new FakeHostConnection(sim.host).exec(command, { stdin, become });
  }

  /** The probe line's marker and the plain become line it stands for, or undefined. */
  #unwrapProbe(line: string): { marker: string; line: string } | undefined {
    const guarded = unwrapSh(line);
    if (!guarded?.startsWith(SUDO_GUARD + this.#sudoPrefix)) return undefined;
    const marked = unwrapSh(guarded.slice(SUDO_GUARD.length + this.#sudoPrefix.length));
    const parts = marked && /^echo '([^']+)'\n(.*)$/s.exec(marked);
    return parts ? { marker: parts[1]!, line: this.#sudoPrefix + shCommand(parts[2]!) } : undefined;
  }

  #unexpected(line: string): ExecResult {
    if (this.#stats.unexpected.length < 20) this.#stats.unexpected.push(line.slice(0, 200));
    return {
      code: 127,
      stdout: '',
      stderr: `the simulated host cannot map this line to the protocol: ${line}`,
    };
  }

  /** The SFTP requests of transport/private-upload.ts: a 0700 folder in the home, 0600 files. */
  #sftp(sim: SimHost, sftp: SFTPWrapper): void {
    const home = `/home/${this.options.user}`;
    const dirs = new Set<string>([home]);
    const open = new Map<string, { path: string; chunks: Buffer[] }>();
    let next = 0;
    sftp.on('REALPATH', (id, path) => {
      const full = path === '.' ? home : path;
      sftp.name(id, [{ filename: full, longname: full, attrs: dirAttrs() }]);
    });
    sftp.on('LSTAT', (id, path) =>
      dirs.has(path) ? sftp.attrs(id, dirAttrs()) : sftp.status(id, STATUS_CODE.NO_SUCH_FILE),
    );
    sftp.on('MKDIR', (id, path) => {
      dirs.add(path);
      sftp.status(id, STATUS_CODE.OK);
    });
    sftp.on('SETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
    sftp.on('OPEN', (id, path) => {
      const handle = Buffer.from(String(next++));
      open.set(handle.toString(), { path, chunks: [] });
      sftp.handle(id, handle);
    });
    sftp.on('WRITE', (id, handle, _offset, data) => {
      open.get(handle.toString())?.chunks.push(Buffer.from(data));
      sftp.status(id, STATUS_CODE.OK);
    });
    sftp.on('CLOSE', (id, handle) => {
      const file = open.get(handle.toString());
      if (file) {
        sim.uploads.set(file.path, Buffer.concat(file.chunks));
        this.#stats.uploads++;
        open.delete(handle.toString());
      }
      sftp.status(id, STATUS_CODE.OK);
    });
  }
}

function reply(channel: ServerChannel, result: ExecResult): void {
  if (result.stdout) channel.write(result.stdout);
  if (result.stderr) channel.stderr.write(result.stderr);
  channel.exit(result.code);
  channel.end();
}

function parsed(text: string, what: string): ParsedKey {
  const key = utils.parseKey(text) as ParsedKey | ParsedKey[] | Error;
  if (key instanceof Error) throw new Error(`cannot read the simulator's ${what}: ${key.message}`);
  return Array.isArray(key) ? key[0]! : key;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function dirAttrs() {
  return { mode: 0o040700, uid: 1000, gid: 1000, size: 4096, atime: 0, mtime: 0 };
}

/** Undoes transport/shell-quote.ts: a bare word, or one single-quoted word. */
function unquote(word: string): string {
  return word.startsWith("'") ? word.slice(1, -1).replaceAll(`'\\''`, "'") : word;
}

/** `sh -c <quoted command>` -> the command, only when the transport would write exactly that line. */
function unwrapSh(line: string): string | undefined {
  if (!line.startsWith('sh -c ')) return undefined;
  const command = unquote(line.slice('sh -c '.length));
  return shCommand(command) === line ? command : undefined;
}
