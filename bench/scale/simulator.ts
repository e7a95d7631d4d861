/**
 * A fleet of simulated load balancers for the controller scale test: one ssh2 Server per host, each
 * listening on its own loopback address, answering apim-provision's remote protocol at once. The
 * answers are not written here: every program the engine sends (facts, transaction, ...) goes to the
 * engine tests' FakeHost model (test/unit/engine/support), which answers exactly what the real script
 * would print and keeps each host's files between runs. This file adds only what sshd, the login
 * shell and sudo do: authentication, the command lines (`sh -s`, through sudo, the become probe),
 * the program on stdin in its `{ }` group (transport/program-stdin.ts), and a become session's
 * programs, one frame after another on a stdin that stays open, each answered with the session's
 * begin and end lines as the shell prints them (transport/session-frame.ts). When the protocol
 * changes, the fakes change with it (the engine's unit tests depend on them) and so does this
 * simulation; a line or a stdin it cannot map fails loudly (exit 127, and counted in
 * `stats().unexpected`).
 */
import { timingSafeEqual } from 'node:crypto';

import ssh2, { type Connection, type ParsedKey, type ServerChannel } from 'ssh2';

import { sudoProbeLine } from '../../src/transport/become-detect.js';
import { programStdin, SH_STDIN } from '../../src/transport/program-stdin.js';
import { sessionFrame } from '../../src/transport/session-frame.js';
import { sudoCommand } from '../../src/transport/sudo-command.js';
import type { ExecResult } from '../../src/transport/types.js';
import { FakeHostConnection } from '../../test/unit/engine/support/fake-connection.js';
import { FakeHost } from '../../test/unit/engine/support/fake-host.js';

const { Server, utils } = ssh2;

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
  /** Command lines the simulation could not map to the protocol (should stay 0). */
  unexpected: string[];
}

interface SimHost {
  name: string;
  host: FakeHost;
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
  readonly #stats: FleetStats = { connections: 0, execs: 0, unexpected: [] };
  readonly #authorized: ParsedKey;
  /** The transport's become lines (passwordless sudo): the first one's probe, then the others. */
  readonly #probeLine: string;
  readonly #sudoLine: string;

  constructor(private readonly options: FleetOptions) {
    parsed(options.hostKey, 'host key'); // fails here, before anything listens
    this.#authorized = parsed(options.authorizedKey, 'authorized key');
    const becomeUser = options.becomeUser ?? 'root';
    this.#probeLine = sudoProbeLine(becomeUser);
    this.#sudoLine = sudoCommand(becomeUser);
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
    return { name, host: FakeHost.withNginx(name) };
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
          let stdin = Buffer.alloc(0);
          let answered = Promise.resolve();
          let framed = false;
          // A session's frames are answered one after another, as its shell runs them.
          channel.on('data', (chunk: Buffer) => {
            stdin = Buffer.concat([stdin, chunk]);
            for (let frame = takeFrame(stdin); frame; frame = takeFrame(stdin)) {
              framed = true;
              stdin = stdin.subarray(frame.length);
              const sent = frame;
              answered = answered.then(() =>
                this.#frame(sim, info.command, sent).then((r) => replyFramed(channel, r, sent.marker)),
              );
            }
          });
          channel.on('end', () => {
            void answered.then(async () => {
              // A session's shell reads the end of its input and exits; a one-program channel answers.
              if (framed && stdin.length === 0) return void (channel.exit(0), channel.end());
              reply(channel, await this.#exec(sim, info.command, stdin));
            });
          });
        });
      });
    });
  }

  /** One exec request without become: the program's `{ }` group undone, then the host's answer. */
  async #exec(sim: SimHost, line: string, stdin: Buffer): Promise<ExecResult> {
    this.#stats.execs++;
    const program = unframe(stdin);
    // Become programs go to a session (#frame); a channel of its own runs `sh -s`.
    if (line !== SH_STDIN || program === undefined) return this.#unexpected(line);
    return new FakeHostConnection(sim.host).run(program, { become: false });
  }

  /** One program of a session: the frame's command line checked, then the host's answer. */
  async #frame(sim: SimHost, line: string, frame: Frame): Promise<ExecResult> {
    this.#stats.execs++;
    // The probe's shell is the session's when sudo needs no password (transport/become-detect.ts).
    const become = line === this.#probeLine || line === this.#sudoLine;
    if (!become && line !== SH_STDIN) return this.#unexpected(line);
    return new FakeHostConnection(sim.host).run(frame.program, { become });
  }

  #unexpected(line: string): ExecResult {
    if (this.#stats.unexpected.length < 20) this.#stats.unexpected.push(line.slice(0, 200));
    return {
      code: 127,
      stdout: '',
      stderr: `the simulated host cannot map this line to the protocol: ${line}`,
    };
  }
}

function reply(channel: ServerChannel, result: ExecResult): void {
  if (result.stdout) channel.write(result.stdout);
  if (result.stderr) channel.stderr.write(result.stderr);
  channel.exit(result.code);
  channel.end();
}

/** The shell's answer to one frame: the program's output, then the marker lines it prints. */
function replyFramed(channel: ServerChannel, result: ExecResult, marker: string): void {
  channel.write(`${marker} begin\n${result.stdout}\n${marker} ${result.code}\n`);
  channel.stderr.write(`${marker} begin\n${result.stderr}\n${marker}\n`);
}

function parsed(text: string, what: string): ParsedKey {
  const key = utils.parseKey(text) as ParsedKey | ParsedKey[] | Error;
  if (key instanceof Error) throw new Error(`cannot read the simulator's ${what}: ${key.message}`);
  return Array.isArray(key) ? key[0]! : key;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The program that transport/program-stdin.ts made this stdin from, or undefined. */
function unframe(stdin: Buffer): string | undefined {
  const parts = /^\{\n([\s\S]*)\n\}\n$/.exec(stdin.toString());
  if (!parts) return undefined;
  const program = parts[1] ?? '';
  return programStdin(program).equals(stdin) ? program : undefined;
}

interface Frame {
  program: string;
  marker: string;
  length: number;
}

const FRAME =
  /^\{\nprintf '%s begin\\n' '(apim-provision session [0-9a-f]+)'; printf '%s begin\\n' '\1' >&2\n\(\n([\s\S]*?)\n\) <\/dev\/null\nprintf '\\n%s %s\\n' '\1' "\$\?"; printf '\\n%s\\n' '\1' >&2\n\}\n/;

/** The first whole session frame (transport/session-frame.ts) at the start of `stdin`, or undefined. */
function takeFrame(stdin: Buffer): Frame | undefined {
  const parts = FRAME.exec(stdin.toString());
  if (!parts) return undefined;
  const [text, marker = '', program = ''] = parts;
  const length = Buffer.byteLength(text);
  if (!sessionFrame(program, marker).equals(stdin.subarray(0, length))) return undefined;
  return { program, marker, length };
}
