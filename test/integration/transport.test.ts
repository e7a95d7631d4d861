/**
 * The transport against real OpenSSH servers on loopback (see support/local-sshd.ts, which creates
 * local test users and sudoers rules: these tests need root).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';

import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Secret } from '../../src/domain/secret.js';
import type { ConnectionSpec } from '../../src/domain/types.js';
import { connect } from '../../src/transport/connect.js';
import type { ConnectOptions, NewHostKeyEvent } from '../../src/transport/connect-options.js';
import { ConnectionPool } from '../../src/transport/connection-pool.js';
import {
  BecomeError,
  ConnectionLostError,
  HostKeyError,
  UnreachableError,
  type HostConnection,
} from '../../src/transport/types.js';
import { runCli } from './support/cli.js';
import {
  createClientKey,
  ensureTestUsers,
  freePort,
  LocalSshd,
  requireSshd,
  SUDO_WITH_PASSWORD,
  SUDO_WITHOUT_PASSWORD,
} from './support/local-sshd.js';
import { SecretScanner } from '../support/secret-scanner.js';
import { soundKeyPair } from '../support/ssh-keypair.js';

const run = promisify(execFile);

let work: string;
let key: { privateKeyFile: string; publicKey: string };
let encryptedKey: { privateKeyFile: string; publicKey: string };
let sshd: LocalSshd;
let jump: LocalSshd;
let knownHosts: string;
const opened: HostConnection[] = [];
const servers: LocalSshd[] = [];

const KEY_PASSPHRASE = 'key passphrase 51e0';

beforeAll(async () => {
  requireSshd();
  await ensureTestUsers();
  work = await mkdtemp(join(tmpdir(), 'apim-transport-'));
  key = await createClientKey(work, 'client_ed25519');
  encryptedKey = await createClientKey(work, 'client_encrypted', { passphrase: KEY_PASSPHRASE });
  const authorizedKeys = [key.publicKey, encryptedKey.publicKey];
  sshd = await startServer({ authorizedKeys });
  jump = await startServer({ authorizedKeys, hostKeyTypes: ['ed25519'] });
  knownHosts = join(work, 'known_hosts');
  await writeFile(knownHosts, (await sshd.knownHostsLines()) + (await jump.knownHostsLines()), {
    mode: 0o600,
  });
});

afterAll(async () => {
  await Promise.all(opened.map((connection) => connection.close()));
  await Promise.all(servers.map((server) => server.dispose()));
  if (work) await rm(work, { recursive: true, force: true });
});

async function startServer(options: Parameters<typeof LocalSshd.start>[0]): Promise<LocalSshd> {
  const server = await LocalSshd.start(options);
  servers.push(server);
  return server;
}

function spec(overrides: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return {
    host: '127.0.0.1',
    port: sshd.port,
    user: SUDO_WITHOUT_PASSWORD.name,
    privateKeyFile: key.privateKeyFile,
    become: false,
    becomeUser: 'root',
    jumpHosts: [],
    connectTimeoutMs: 5000,
    ...overrides,
  };
}

/** No agent and no default keys: only what each test configures is tried. */
function options(overrides: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    knownHostsFiles: [knownHosts],
    acceptNewHostKeys: false,
    agentSocket: '',
    defaultKeyFiles: [],
    ...overrides,
  };
}

async function open(connection: Partial<ConnectionSpec> = {}, connectOptions?: Partial<ConnectOptions>) {
  const result = await connect({ name: 'lb1', connection: spec(connection) }, options(connectOptions));
  opened.push(result);
  return result;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error('expected a failure, got a connection');
  return outcome.error;
}

describe('authentication', () => {
  it('logs in with a private key', async () => {
    const connection = await open();
    expect(await connection.run('id -un')).toEqual({
      code: 0,
      stdout: `${SUDO_WITHOUT_PASSWORD.name}\n`,
      stderr: '',
    });
    expect(connection.roundTrips).toBe(1);
  });

  it('logs in with an encrypted private key and its passphrase', async () => {
    const connection = await open({
      privateKeyFile: encryptedKey.privateKeyFile,
      privateKeyPassphrase: new Secret(KEY_PASSPHRASE),
    });
    expect((await connection.run('id -un')).stdout).toBe(`${SUDO_WITHOUT_PASSWORD.name}\n`);
  });

  it('logs in with a password', async () => {
    const connection = await open({
      user: SUDO_WITH_PASSWORD.name,
      privateKeyFile: undefined,
      password: new Secret(SUDO_WITH_PASSWORD.password),
    });
    expect((await connection.run('id -un')).stdout).toBe(`${SUDO_WITH_PASSWORD.name}\n`);
  });

  it('reports the methods tried, never the password, when authentication fails', async () => {
    const error = await failure(
      open({
        user: SUDO_WITH_PASSWORD.name,
        privateKeyFile: undefined,
        password: new Secret('wrong-password-x1'),
      }),
    );
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.message).toContain('Authentication failed');
    expect(error.message).toContain('password (ansible_password)');
    expect(error.message).toContain('PasswordAuthentication');
    new SecretScanner()
      .add('the wrong password', 'wrong-password-x1')
      .assertClean('the error', error.message);
  });

  it('refuses an encrypted key without its passphrase, saying so', async () => {
    const error = await failure(open({ privateKeyFile: encryptedKey.privateKeyFile }));
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.message).toContain(encryptedKey.privateKeyFile);
    expect(error.message).toContain('passphrase');
  });
});

describe('run', () => {
  let connection: HostConnection;
  beforeAll(async () => {
    connection = await open();
  });

  it('returns exit codes, stdout and stderr separately', async () => {
    expect(await connection.run('echo out; echo err >&2; exit 3')).toEqual({
      code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    });
  });

  it('sends the program whole on stdin: UTF-8 intact, 300 KB of it too', async () => {
    const text = 'ligne 1 — é\nline 2 ✓\n';
    expect((await connection.run(`printf '%s' '${text}'`)).stdout).toBe(text);
    const large = await connection.run(`x='${'a'.repeat(300_000)}'\nprintf '%s' "$x" | wc -c`);
    expect(large.stdout.trim()).toBe('300000');
  });

  it('reads the whole program before running it: a command reading stdin finds nothing', async () => {
    expect(await connection.run('cat; echo after')).toEqual({ code: 0, stdout: 'after\n', stderr: '' });
  });

  it('puts the program on no command line: the shell running it is `sh -s`', async () => {
    const result = await connection.run(`: 'not on argv 51c2'\nps -o args= -p $$`);
    expect(result.stdout).toBe('sh -s\n');
  });

  it('runs the program with sh -s, quotes and newlines intact', async () => {
    const result = await connection.run(`printf '%s|' "it's" 'a "b"'\necho "$0"`);
    expect(result.stdout).toBe(`it's|a "b"|sh\n`);
  });

  it('maps a signal to 128 + its number', async () => {
    expect((await connection.run('kill -TERM $$')).code).toBe(143);
  });

  it('kills a command that runs past its timeout', async () => {
    const started = Date.now();
    const result = await connection.run('sleep 21', { timeoutMs: 300 });
    expect(result.code).toBe(124);
    expect(result.stderr).toContain('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
    // The command itself was killed on the host, not just abandoned.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await connection.run('pgrep -f "sleep 2[1]"')).code).toBe(1);
  });

  it('runs many commands concurrently on one connection', async () => {
    const before = connection.roundTrips;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, index) => connection.run(`sleep 0.5; echo ${index}`)),
    );
    expect(results.map((result) => result.stdout)).toEqual(
      Array.from({ length: 24 }, (_, index) => `${index}\n`),
    );
    // One after another this takes 12 s; a few channels at a time take about 2 s.
    expect(Date.now() - started).toBeLessThan(6000);
    expect(connection.roundTrips - before).toBe(24);
  });
});

describe('host keys', () => {
  it('refuses an unknown host and shows its fingerprint and how to accept it', async () => {
    const empty = join(work, 'empty_known_hosts');
    await writeFile(empty, '');
    const error = await failure(open({}, { knownHostsFiles: [empty] }));
    expect(error).toBeInstanceOf(HostKeyError);
    const fingerprint = await sshd.fingerprint('ed25519');
    expect((error as HostKeyError).fingerprint).toBe(fingerprint);
    expect(error.message).toContain(fingerprint);
    expect(error.message).toContain('--accept-new-host-keys');
    expect(error.message).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ${empty}`);
  });

  it('records a new key with --accept-new-host-keys, then knows the host', async () => {
    const file = join(work, 'fresh', '.ssh', 'known_hosts');
    const events: NewHostKeyEvent[] = [];
    await open(
      {},
      { knownHostsFiles: [file], acceptNewHostKeys: true, onNewHostKey: (event) => events.push(event) },
    );
    expect(events).toEqual([
      expect.objectContaining({ hostName: 'lb1', port: sshd.port, keyType: 'ssh-ed25519', file }),
    ]);
    expect(events[0]!.fingerprint).toBe(await sshd.fingerprint('ed25519'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readFile(file, 'utf8')).toBe(await sshd.knownHostsLines(['ed25519']));
    // ssh itself accepts the line we wrote.
    const { stdout } = await run('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', file]);
    expect(stdout).toContain('ssh-ed25519');
    const again = await open({}, { knownHostsFiles: [file] });
    expect((await again.run('true')).code).toBe(0);
  });

  it('asks for the key type it knows, so a host known by RSA only is not unknown', async () => {
    const file = join(work, 'rsa_known_hosts');
    await writeFile(file, await sshd.knownHostsLines(['rsa']));
    const connection = await open({}, { knownHostsFiles: [file] });
    expect((await connection.run('true')).code).toBe(0);
  });

  it('reads hashed known_hosts entries', async () => {
    const file = join(work, 'hashed_known_hosts');
    await writeFile(file, await sshd.knownHostsLines(['ed25519']));
    await run('ssh-keygen', ['-H', '-f', file]);
    expect(await readFile(file, 'utf8')).toMatch(/^\|1\|/);
    const connection = await open({}, { knownHostsFiles: [file] });
    expect((await connection.run('true')).code).toBe(0);
  });

  it('refuses a changed key loudly, even with --accept-new-host-keys', async () => {
    const server = await startServer({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] });
    const file = join(work, 'changing_known_hosts');
    const recorded = await server.knownHostsLines();
    await writeFile(file, recorded);
    const first = await open({ port: server.port }, { knownHostsFiles: [file] });
    await first.close();
    await server.regenerateHostKeys();
    const error = await failure(
      open({ port: server.port }, { knownHostsFiles: [file], acceptNewHostKeys: true }),
    );
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(error.message).toContain(await server.fingerprint('ed25519'));
    // Nothing was recorded: the old key stays until the user removes it.
    expect(await readFile(file, 'utf8')).toBe(recorded);
  });

  it('refuses a known host that presents only a key of an unrecorded type, even with --accept-new-host-keys', async () => {
    // The host was recorded by its RSA key; now it has an ed25519 key only (as after a reinstall).
    const server = await startServer({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] });
    const file = join(work, 'type_changed_known_hosts');
    const [, rsaBlob] = (await sshd.hostPublicKeys()).get('rsa')!.split(' ');
    const recorded = `[127.0.0.1]:${server.port} ssh-rsa ${rsaBlob}\n`;
    await writeFile(file, recorded);
    const error = await failure(
      open({ port: server.port }, { knownHostsFiles: [file], acceptNewHostKeys: true }),
    );
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(error.message).toContain(`unrecorded ED25519 key ${await server.fingerprint('ed25519')}`);
    expect(await readFile(file, 'utf8')).toBe(recorded);
  });
});

describe('become', () => {
  const password = SUDO_WITH_PASSWORD.password;

  it('uses passwordless sudo without sending a password', async () => {
    const connection = await open({ become: true });
    expect(await connection.run('id -u', { become: true })).toEqual({ code: 0, stdout: '0\n', stderr: '' });
    // The first become command was also the sudo check: no round trip of its own.
    expect(connection.roundTrips).toBe(1);
    // sudo starts sh -s itself (no shell in between), which read the whole program.
    expect(await connection.run('ps -o args= -p $$; cat', { become: true })).toEqual({
      code: 0,
      stdout: 'sh -s\n',
      stderr: '',
    });
    expect((await connection.run('id -u')).stdout).not.toBe('0\n');
  });

  it('sends the sudo password on stdin and never returns it', async () => {
    const connection = await open({
      user: SUDO_WITH_PASSWORD.name,
      become: true,
      becomePassword: new Secret(password),
    });
    const results = [
      await connection.run('id -u', { become: true }),
      await connection.run('cat', { become: true }),
      await connection.run('ls /nonexistent-apim; ps -eo args', { become: true }),
    ];
    // No stderr: the password line went to sudo (sh would have run it as a command), even though
    // sudo ran just before; and neither it nor the program reached cat.
    expect(results[0]).toEqual({ code: 0, stdout: '0\n', stderr: '' });
    expect(results[1]).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(results[2]!.code).toBe(0);
    expect(results[2]!.stderr).toContain('nonexistent-apim');
    for (const result of results) {
      new SecretScanner()
        .add('the sudo password', password)
        .assertClean('the result', JSON.stringify(result));
      expect(result.stderr).not.toContain('apim-provision sudo');
    }
  });

  it('refuses a wrong sudo password at the first become command, before running it', async () => {
    const connection = await open({
      user: SUDO_WITH_PASSWORD.name,
      become: true,
      becomePassword: new Secret('not-the-password-9'),
    });
    const error = await failure(connection.run('touch /tmp/apim-must-not-exist', { become: true }));
    expect((await connection.run('test -e /tmp/apim-must-not-exist')).code).toBe(1);
    expect(error).toBeInstanceOf(BecomeError);
    expect(error.message).toContain(`sudo refused the become password for user ${SUDO_WITH_PASSWORD.name}`);
    expect(error.message).toContain('ansible_become_password');
    new SecretScanner()
      .add('the wrong sudo password', 'not-the-password-9')
      .assertClean('the error', error.message);
  });

  it('asks for -K when sudo needs a password and none was given', async () => {
    const connection = await open({ user: SUDO_WITH_PASSWORD.name, become: true });
    const error = await failure(connection.run('id -u', { become: true }));
    expect(error).toBeInstanceOf(BecomeError);
    expect(error.message).toContain('-K');
  });
});

describe('a program that carries a secret', () => {
  it('is on no command line, and takes one round trip', async () => {
    const connection = await open({ become: true });
    const secret = 'secret key material 9d41';
    const result = await connection.run(`KEY='${secret}'\nps -eo args; printf '%s' "$KEY" | wc -c`, {
      become: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sudo -H -k -n -u root -- sh -s');
    expect(result.stdout).not.toContain(secret);
    expect(result.stdout).toMatch(/\n\s*24\n$/);
    expect(connection.roundTrips).toBe(1);
  });
});

describe('jump hosts', () => {
  it('reaches a host through a jump host and closes both', async () => {
    const connection = await open({ jumpHosts: [{ host: '127.0.0.1', port: jump.port }] });
    expect((await connection.run('echo "$SSH_CONNECTION"')).stdout).toMatch(new RegExp(` ${sshd.port}\\n$`));
    await connection.close();
    await connection.close();
    await expect(connection.run('true')).rejects.toBeInstanceOf(ConnectionLostError);
  });

  it("verifies the jump host's key too", async () => {
    const file = join(work, 'target_only_known_hosts');
    await writeFile(file, await sshd.knownHostsLines());
    const error = await failure(
      open({ jumpHosts: [{ host: '127.0.0.1', port: jump.port }] }, { knownHostsFiles: [file] }),
    );
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error.message).toContain(`127.0.0.1 port ${jump.port}`);
  });
});

/** Waits until the server logged a line matching `pattern` (its log lags the client a little). */
async function logged(server: LocalSshd, pattern: RegExp): Promise<boolean> {
  for (let i = 0; i < 50 && !pattern.test(server.log); i++) await new Promise((r) => setTimeout(r, 50));
  return pattern.test(server.log);
}

describe('passwords go to their own host only', () => {
  const password = SUDO_WITH_PASSWORD.password;

  async function knownHostsFor(name: string, ...servers: LocalSshd[]): Promise<string> {
    const file = join(work, name);
    await writeFile(file, (await Promise.all(servers.map((s) => s.knownHostsLines()))).join(''));
    return file;
  }

  it('logs in to the host with its password through a jump host that only gets the key', async () => {
    const target = await startServer({ authorizedKeys: [] });
    const via = await startServer({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] });
    const file = await knownHostsFor('pw_via_jump_known_hosts', target, via);
    const connection = await open(
      {
        port: target.port,
        user: SUDO_WITH_PASSWORD.name,
        password: new Secret(password),
        jumpHosts: [{ host: '127.0.0.1', port: via.port }],
      },
      { knownHostsFiles: [file] },
    );
    expect((await connection.run('id -un')).stdout).toBe(`${SUDO_WITH_PASSWORD.name}\n`);
    expect(await logged(target, /Accepted password for apimtest/)).toBe(true);
    expect(await logged(via, /Accepted publickey for apimtest/)).toBe(true);
    expect(via.log).not.toMatch(/password for/i);
  });

  it('never offers the password to a jump host, even one that would accept it', async () => {
    const via = await startServer({ authorizedKeys: [], hostKeyTypes: ['ed25519'] });
    const file = await knownHostsFor('pw_jump_refused_known_hosts', sshd, via);
    const error = await failure(
      open(
        {
          user: SUDO_WITH_PASSWORD.name,
          privateKeyFile: undefined,
          password: new Secret(password),
          jumpHosts: [{ host: '127.0.0.1', port: via.port }],
        },
        { knownHostsFiles: [file] },
      ),
    );
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.message).toContain(`127.0.0.1:${via.port}`);
    expect(error.message).toContain('the password is sent to the target host only');
    expect(error.message).not.toContain(password);
    // The jump host was reached (and its key checked), then left without a password.
    expect(await logged(via, /Connection from 127\.0\.0\.1/)).toBe(true);
    expect(via.log).not.toMatch(/password for/i);
  });

  /**
   * A stand-in SSH server (ssh2's own) that asks keyboard-interactive prompts: OpenSSH without PAM
   * cannot be made to ask for anything but a password. Records every answer it gets.
   */
  async function promptingServer(rounds: string[][], accept: (answers: string[][]) => boolean) {
    const hostKey = soundKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519'));
    const received: { method: string; answers?: string[]; password?: string }[] = [];
    const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        if (ctx.method === 'password') received.push({ method: 'password', password: ctx.password });
        if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
        const answers: string[][] = [];
        const ask = (i: number): void => {
          if (i === rounds.length) return accept(answers) ? ctx.accept() : ctx.reject([]);
          ctx.prompt(
            rounds[i]!.map((prompt) => ({ prompt, echo: false })),
            (a) => {
              answers.push(a);
              received.push({ method: 'keyboard-interactive', answers: a });
              ask(i + 1);
            },
          );
        };
        ask(0);
      });
      client.on('ready', () =>
        client.on('session', (acceptSession) => acceptSession().on('exec', () => undefined)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const file = join(work, `prompting_known_hosts_${port}`);
    const [type, blob] = hostKey.public.split(' ');
    await writeFile(file, `[127.0.0.1]:${port} ${type} ${blob}\n`);
    return { port, file, received, close: () => new Promise((r) => server.close(r)) };
  }

  it('answers only the password prompt of keyboard-interactive, never a code prompt', async () => {
    const pw = 'kbd-Only-pw-8c1';
    const server = await promptingServer([['Verification code: '], ['Password: ']], (a) => a[1]?.[0] === pw);
    try {
      const connection = await open(
        { port: server.port, user: 'deploy', privateKeyFile: undefined, password: new Secret(pw) },
        { knownHostsFiles: [server.file] },
      );
      await connection.close();
      expect(server.received).toEqual([
        { method: 'password', password: pw },
        { method: 'keyboard-interactive', answers: [''] },
        { method: 'keyboard-interactive', answers: [pw] },
      ]);
    } finally {
      await server.close();
    }
  });

  it('says which prompt it could not answer when a server wants more than the password', async () => {
    const pw = 'kbd-Only-pw-9d2';
    const server = await promptingServer([['Verification code: ']], () => false);
    try {
      const error = await failure(
        open(
          { port: server.port, user: 'deploy', privateKeyFile: undefined, password: new Secret(pw) },
          { knownHostsFiles: [server.file] },
        ),
      );
      expect(error).toBeInstanceOf(UnreachableError);
      expect(error.message).toContain(
        'It asked for "Verification code:", which apim-provision does not answer',
      );
      expect(server.received.filter((r) => r.method === 'keyboard-interactive')).toEqual([
        { method: 'keyboard-interactive', answers: [''] },
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('failures', () => {
  it('reports a refused connection as unreachable after the retries', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await failure(open({ port }));
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).toContain('ECONNREFUSED');
    // Two backoffs: about 500 ms then 1000 ms, each ±25 %.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
  });

  it('reports a connection dropped mid-command as lost', async () => {
    const server = await startServer({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] });
    const file = join(work, 'dropping_known_hosts');
    await writeFile(file, await server.knownHostsLines());
    const connection = await open({ port: server.port }, { knownHostsFiles: [file] });
    const running = connection.run('sleep 30');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.kill();
    await expect(running).rejects.toBeInstanceOf(ConnectionLostError);
    await expect(connection.run('true')).rejects.toBeInstanceOf(ConnectionLostError);
  });
});

/** A TCP server that accepts connections and never says anything (a hung sshd, a wrong service). */
async function silentServer(): Promise<{ port: number; close: () => Promise<unknown> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('timeouts, attempts and the -vvv connection plan', () => {
  it('gives up on a host that accepts TCP but never speaks SSH within the configured wait', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const error = await failure(open({ port: silent.port, connectTimeoutMs: 300, connectRetries: 1 }));
      expect(error).toBeInstanceOf(UnreachableError);
      expect(error.message).toContain('after 2 attempts');
      expect(error.message).toContain('no SSH handshake within 300 ms');
      expect(error.message).toContain('set ansible_ssh_timeout / ansible_ssh_retries (or -T)');
      // Two 300 ms waits and one backoff of 375-625 ms, not 3 x 10 s.
      expect(Date.now() - started).toBeLessThan(3000);

      // Without inventory settings the run's options apply (-T).
      const fromOptions = await failure(
        open({ port: silent.port, connectTimeoutMs: undefined }, { connectTimeoutMs: 200, retries: 0 }),
      );
      expect(fromOptions.message).toContain('after 1 attempt:');
      expect(fromOptions.message).toContain('no SSH handshake within 200 ms');
    } finally {
      await silent.close();
    }
  });

  it('traces the plan and every step, in order, and never a secret', async () => {
    const password = SUDO_WITH_PASSWORD.password;
    const target = await startServer({ authorizedKeys: [] });
    const via = await startServer({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] });
    const file = join(work, 'trace_known_hosts');
    await writeFile(file, (await target.knownHostsLines()) + (await via.knownHostsLines()));
    const lines: string[] = [];
    const connection = await open(
      {
        port: target.port,
        user: SUDO_WITH_PASSWORD.name,
        password: new Secret(password),
        become: true,
        becomePassword: new Secret(password),
        jumpHosts: [{ host: '127.0.0.1', port: via.port, user: SUDO_WITHOUT_PASSWORD.name }],
        connectRetries: 0,
      },
      { knownHostsFiles: [file], onTrace: (e) => lines.push(`<${e.hostName}> ${e.message}`) },
    );
    await connection.close();
    const t = `127.0.0.1:${target.port}`;
    const j = `127.0.0.1:${via.port}`;
    expect(lines.slice(0, 8)).toEqual([
      '<lb1> SSH connection plan for lb1:',
      `<lb1>   connect to:  apimtest@${t}`,
      `<lb1>   through:     apimnopw@${j}`,
      '<lb1>   attempts:    1 (0 retries, inventory), 5 s each for the SSH handshake (inventory)',
      `<lb1>   host keys:   ${file}; unknown keys refused, changed keys refused`,
      `<lb1>   auth:        private key ${key.privateKeyFile}, password (ansible_password), keyboard-interactive with the password`,
      `<lb1>   jump auth:   private key ${key.privateKeyFile}`,
      '<lb1>   become:      sudo to root (with a password)',
    ]);
    const steps = lines.slice(8);
    expect(steps[0]).toBe(`<lb1> attempt 1/1: TCP connection to ${j}`);
    expect(steps).toContainEqual(
      expect.stringMatching(new RegExp(`^<lb1> ${j}: host key ED25519 SHA256:\\S+ matches ${file}:\\d+$`)),
    );
    const order = (pattern: string) => steps.findIndex((l) => l.includes(pattern));
    expect(order(`${j}: trying private key`)).toBeLessThan(order(`${j}: logged in as apimnopw`));
    expect(order(`${j}: logged in as apimnopw`)).toBeLessThan(order(`${t}: trying private key`));
    expect(order(`${t}: trying private key`)).toBeLessThan(
      order(`${t}: trying password (ansible_password) as apimtest`),
    );
    // OpenSSH offers more (sntrup761x25519 key exchange, RSA host keys): the client's cheap choice wins.
    for (const hop of [j, t])
      expect(steps).toContain(
        `<lb1> ${hop}: key exchange curve25519-sha256, host key ssh-ed25519, cipher aes128-gcm@openssh.com`,
      );
    expect(steps).toContain(`<lb1> ${t}: logged in as apimtest with password (ansible_password)`);
    expect(steps[steps.length - 1]).toBe(`<lb1> connected to ${t} as apimtest`);
    expect(lines.join('\n')).not.toContain(password);
  });
});

describe('apply -vvv (the built CLI)', () => {
  it('shows the connection plan and each attempt of an unreachable host, quickly and without a secret', async () => {
    const silent = await silentServer();
    const password = 'Cli-trace-pw-4e1f';
    const dir = join(work, 'cli-trace');
    await mkdir(dir, { recursive: true });
    const inventory = join(dir, 'inventory.yml');
    await writeFile(
      inventory,
      [
        'all:',
        '  vars: { apim_version: "4.x", apim_pattern: single-node }',
        '  children:',
        '    loadbalancers:',
        '      hosts:',
        `        lb1: { ansible_host: 127.0.0.1, ansible_port: ${silent.port}, ansible_user: deploy,`,
        `               ansible_password: "${password}", ansible_ssh_timeout: 0.3, ansible_ssh_retries: 1 }`,
        '    apim_all_in_one:',
        '      hosts: { apim1: { apim_address: 192.0.2.10 } }',
        '',
      ].join('\n'),
    );
    try {
      const started = Date.now();
      const run = await runCli([
        'apply',
        inventory,
        '--check',
        '-vvv',
        '--known-hosts',
        join(dir, 'known_hosts'),
      ]);
      expect(run.exitCode).toBe(3);
      expect(run.all).toContain('<lb1> SSH connection plan for lb1:');
      expect(run.all).toContain(`<lb1>   connect to:  deploy@127.0.0.1:${silent.port}`);
      expect(run.all).toContain(
        '<lb1>   attempts:    2 (1 retries, inventory), 0.3 s each for the SSH handshake (inventory)',
      );
      expect(run.all).toContain(
        '<lb1>   auth:        password (ansible_password), keyboard-interactive with the password',
      );
      expect(run.all).toContain('<lb1> attempt 2/2: TCP connection to');
      expect(run.all).toContain('no SSH handshake within 300 ms');
      expect(run.all).not.toContain(password);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await silent.close();
    }
  });
});

describe('ConnectionPool', () => {
  it('connects once per host and closes everything', async () => {
    const pool = new ConnectionPool(options());
    const target = { name: 'lb1', connection: spec() };
    const [a, b] = await Promise.all([pool.get(target), pool.get(target)]);
    expect(a).toBe(b);
    await a.run('true');
    expect((await pool.roundTrips()).get('lb1')).toBe(1);
    await pool.closeAll();
    await expect(a.run('true')).rejects.toBeInstanceOf(ConnectionLostError);
  });
});
