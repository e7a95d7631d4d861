/**
 * A real OpenSSH server for integration tests: its own host keys, config, authorized_keys and pid
 * file in a temp folder, listening on a free loopback port, run in the foreground as a child process.
 *
 * `ensureTestUsers()` MODIFIES THE MACHINE: it creates the local users `apimtest` (sudo with a
 * password) and `apimnopw` (passwordless sudo) and their sudoers drop-ins. It needs root, as on CI.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';

export type KeyType = 'ed25519' | 'rsa' | 'ecdsa';

export interface TestUser {
  name: string;
  password: string;
}

/** Login password is also the sudo password (sudo asks for the invoking user's own password). */
export const SUDO_WITH_PASSWORD: TestUser = { name: 'apimtest', password: 'Apim-test-pw 7f3a9c' };
export const SUDO_WITHOUT_PASSWORD: TestUser = { name: 'apimnopw', password: 'Apim-nopw-pw 2b8d41' };

/** Fails (never skips) when OpenSSH's server is not installed. */
export function requireSshd(): void {
  if (!existsSync(SSHD)) {
    throw new Error(
      `${SSHD} not found: install openssh-server (apt-get install openssh-server) to run these tests`,
    );
  }
}

/** Creates the test users and sudoers drop-ins if missing; sets their passwords every time. */
export async function ensureTestUsers(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('creating the sshd test users needs root');
  const sudoers: [TestUser, string][] = [
    [SUDO_WITH_PASSWORD, `${SUDO_WITH_PASSWORD.name} ALL=(ALL) ALL\n`],
    [SUDO_WITHOUT_PASSWORD, `${SUDO_WITHOUT_PASSWORD.name} ALL=(ALL) NOPASSWD: ALL\n`],
  ];
  for (const [user, rule] of sudoers) {
    const exists = await run('id', ['-u', user.name]).then(
      () => true,
      () => false,
    );
    if (!exists) await run('useradd', ['-m', '-s', '/bin/sh', user.name]);
    // With `UsePAM no`, sshd refuses accounts whose password is locked (`!`), even for keys.
    const chpasswd = spawn('chpasswd', { stdio: ['pipe', 'ignore', 'inherit'] });
    chpasswd.stdin.end(`${user.name}:${user.password}\n`);
    await exited(chpasswd, 'chpasswd');
    const file = `/etc/sudoers.d/${user.name}`;
    await writeFile(file, rule, { mode: 0o440 });
    await run('visudo', ['-cf', file]);
  }
}

/** Generates a client key pair; returns the private key path and the public key line. */
export async function createClientKey(
  dir: string,
  name: string,
  options: { type?: KeyType; passphrase?: string } = {},
): Promise<{ privateKeyFile: string; publicKey: string }> {
  const privateKeyFile = join(dir, name);
  await run('ssh-keygen', [
    '-q',
    '-t',
    options.type ?? 'ed25519',
    '-N',
    options.passphrase ?? '',
    '-C',
    name,
    '-f',
    privateKeyFile,
  ]);
  return { privateKeyFile, publicKey: (await readFile(`${privateKeyFile}.pub`, 'utf8')).trim() };
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface LocalSshdOptions {
  /** Public key lines accepted for every user. */
  authorizedKeys: string[];
  hostKeyTypes?: KeyType[];
  passwordAuthentication?: boolean;
}

export class LocalSshd {
  #child: ChildProcess | undefined;
  #log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: Required<LocalSshdOptions>,
  ) {}

  static async start(options: LocalSshdOptions): Promise<LocalSshd> {
    requireSshd();
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const dir = await mkdtemp(join(tmpdir(), 'apim-sshd-'));
    // Test users must read authorized_keys: sshd opens it with the user's privileges.
    await chmod(dir, 0o755);
    const sshd = new LocalSshd(dir, await freePort(), {
      hostKeyTypes: ['ed25519', 'rsa'],
      passwordAuthentication: true,
      ...options,
    });
    await writeFile(join(dir, 'authorized_keys'), sshd.options.authorizedKeys.join('\n') + '\n', {
      mode: 0o644,
    });
    await sshd.#generateHostKeys();
    await sshd.#writeConfig();
    await sshd.#launch();
    return sshd;
  }

  hostKeyFile(type: KeyType): string {
    return join(this.dir, `ssh_host_${type}_key`);
  }

  /** The server's public host key lines (`type base64 comment`), one per configured type. */
  async hostPublicKeys(): Promise<Map<KeyType, string>> {
    const keys = new Map<KeyType, string>();
    for (const type of this.options.hostKeyTypes) {
      keys.set(type, (await readFile(`${this.hostKeyFile(type)}.pub`, 'utf8')).trim());
    }
    return keys;
  }

  /** known_hosts lines for this server, as `ssh-keyscan` would print them. */
  async knownHostsLines(types: KeyType[] = this.options.hostKeyTypes): Promise<string> {
    const keys = await this.hostPublicKeys();
    return types
      .map((type) => {
        const [keyType, blob] = keys.get(type)!.split(' ');
        return `[127.0.0.1]:${this.port} ${keyType} ${blob}\n`;
      })
      .join('');
  }

  /** `SHA256:...` fingerprint of a host key, from ssh-keygen itself. */
  async fingerprint(type: KeyType): Promise<string> {
    const { stdout } = await run('ssh-keygen', ['-lf', `${this.hostKeyFile(type)}.pub`]);
    return stdout.split(' ')[1]!;
  }

  /** New host keys (as after a reinstall), served on the same port. */
  async regenerateHostKeys(): Promise<void> {
    await this.stop();
    await this.#generateHostKeys();
    await this.#launch();
  }

  /** Stops the listener gracefully (open sessions survive, as with a real sshd restart). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child, 'sshd').catch(() => undefined);
    child.kill('SIGTERM');
    await done;
  }

  /** Kills the server and every session process it forked, dropping all connections at once. */
  async kill(): Promise<void> {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    const victims = [pid, ...(await descendants(pid))];
    for (const victim of victims) {
      try {
        process.kill(victim, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** Stops the server and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  get log(): string {
    return this.#log;
  }

  async #generateHostKeys(): Promise<void> {
    for (const type of this.options.hostKeyTypes) {
      const file = this.hostKeyFile(type);
      await rm(file, { force: true });
      await rm(`${file}.pub`, { force: true });
      await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `test-host-${type}`, '-f', file]);
    }
  }

  async #writeConfig(): Promise<void> {
    const lines = [
      `Port ${this.port}`,
      'ListenAddress 127.0.0.1',
      ...this.options.hostKeyTypes.map((type) => `HostKey ${this.hostKeyFile(type)}`),
      `PidFile ${join(this.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
      'UsePAM no',
      `PasswordAuthentication ${this.options.passwordAuthentication ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'AllowTcpForwarding yes',
      'MaxStartups 100',
      'LogLevel VERBOSE',
    ];
    await writeFile(join(this.dir, 'sshd_config'), lines.join('\n') + '\n');
  }

  async #launch(): Promise<void> {
    const child = spawn(SSHD, ['-D', '-e', '-f', join(this.dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sshd did not start within 10 s:\n${this.#log}`)),
        10_000,
      );
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        this.#log += chunk;
        if (this.#log.includes(`Server listening on 127.0.0.1 port ${this.port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with code ${code} while starting:\n${this.#log}`));
      });
    });
  }
}

function exited(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 || signal === 'SIGTERM'
        ? resolve()
        : reject(new Error(`${name} exited with ${code ?? signal}`)),
    );
  });
}

/** Every process below `pid`, from /proc. */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name is in parentheses and may contain spaces: the ppid follows the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}
