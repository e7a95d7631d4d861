import type { Duplex } from 'node:stream';

import type { AuthHandlerMiddleware, Client } from 'ssh2';

import { SSH_ALGORITHMS } from './algorithms.js';
import { authFailureMessage, type AuthAttempt, type AuthPlan, type HopRole } from './auth-plan.js';
import type { ConnectOptions } from './connect-options.js';
import { createHostKeyGuard } from './host-key-verifier.js';
import { ssh2Client } from './ssh2-module.js';
import { UnreachableError } from './types.js';

/** One SSH server on the way to a host (a jump host or the host itself). */
export interface Hop {
  host: string;
  port: number;
  user: string;
  /** The host itself gets its password; a jump host only keys. */
  role: HopRole;
}

/** A network-level failure during setup: worth retrying. */
export class NetworkSetupError extends Error {
  override readonly name = 'NetworkSetupError';
}

export function describeHop(hop: Hop): string {
  return `${hop.host}:${hop.port}`;
}

export interface OpenHopParams {
  hostName: string;
  hop: Hop;
  /** A stream forwarded through the previous hop; absent for the first hop (plain TCP). */
  sock?: Duplex;
  plan: AuthPlan;
  options: ConnectOptions;
  readyTimeoutMs: number;
  /** -vvv lines (host key verdict, each method tried). */
  trace?: (message: string) => void;
}

/** Keepalives make a silently dead peer surface as a lost connection instead of a hang. */
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;

/**
 * Connects, verifies the host key and authenticates one hop. Rejects with HostKeyError,
 * UnreachableError (authentication, protocol) or NetworkSetupError (retryable).
 */
export async function openHop(params: OpenHopParams): Promise<Client> {
  const { hostName, hop, sock, plan, options, readyTimeoutMs } = params;
  const where = describeHop(hop);
  const trace = (message: string): void => params.trace?.(`${where}: ${message}`);
  const guard = await createHostKeyGuard(hostName, hop.host, hop.port, options, trace);
  const attempt: AuthAttempt = { tried: [] };
  const handler = plan.handler(hop.user, attempt, hop.role);
  const authHandler: AuthHandlerMiddleware = (methodsLeft, partialSuccess, next) =>
    handler(methodsLeft, partialSuccess, (method) => {
      if (methodsLeft) trace(`the server accepts ${methodsLeft.join(', ')}`);
      const step = attempt.tried[attempt.tried.length - 1];
      trace(typeof method === 'object' && step ? `trying ${step} as ${hop.user}` : 'no method left to try');
      next(method);
    });
  const client = new (ssh2Client())();
  // ssh2 may emit several errors while tearing down; later ones must not crash the process.
  client.on('error', () => undefined);
  client.once('handshake', (n) =>
    trace(
      `key exchange ${n.kex}, host key ${n.serverHostKey}, cipher ${n.cs.cipher}` +
        (n.cs.mac ? ` with ${n.cs.mac}` : ''),
    ),
  );

  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    // Ctrl-C drops a connection still being set up at once (retries see the signal and stop).
    const onAbort = (): void => fail(new NetworkSetupError(`${where}: interrupted while connecting`));
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      client.end();
      sock?.destroy();
      reject(error);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      trace(
        `logged in as ${hop.user} with ${attempt.tried[attempt.tried.length - 1] ?? 'no authentication'}`,
      );
      resolve(client);
    });
    client.once('error', (error: Error & { level?: string; code?: string }) => {
      const hostKeyFailure = guard.failure();
      if (hostKeyFailure) fail(hostKeyFailure);
      else if (error.level === 'client-authentication') {
        fail(new UnreachableError(hostName, authFailureMessage(where, hop.user, plan, attempt, hop.role)));
      } else if (error.level === 'client-socket' || error.level === 'client-timeout') {
        const reason =
          error.level === 'client-timeout' ? `no SSH handshake within ${readyTimeoutMs} ms` : error.message;
        fail(new NetworkSetupError(`cannot reach ${where}: ${reason}`));
      } else {
        fail(new UnreachableError(hostName, `SSH setup with ${where} failed: ${error.message}`));
      }
    });
    client.once('close', () =>
      fail(new NetworkSetupError(`${where} closed the connection during SSH setup`)),
    );
    if (options.signal?.aborted) return onAbort();
    // A socket given already failed (refused while the host key guard was read): ssh2 would take
    // it for connected and wait out the handshake timeout.
    if (sock?.destroyed)
      return fail(
        new NetworkSetupError(`cannot reach ${where}: ${sock.errored?.message ?? 'connection closed'}`),
      );
    client.connect({
      host: hop.host,
      port: hop.port,
      ...(sock ? { sock } : {}),
      username: hop.user,
      readyTimeout: readyTimeoutMs,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      algorithms: { ...SSH_ALGORITHMS, serverHostKey: guard.algorithms },
      hostVerifier: guard.verify,
      authHandler,
    });
    declineHostKeyAnnouncements(client);
  });
}

type GlobalRequestHandler = (
  proto: { requestFailure(): void },
  name: string,
  wantReply: boolean,
  data: unknown,
) => void;

/**
 * After login an OpenSSH server announces all its host keys (`hostkeys-00@openssh.com`, for
 * UpdateHostKeys), and ssh2 answers by asking it to prove each one: sshd then signs with every
 * host key, RSA included (~3 ms of host CPU per connection on the bench host), and ssh2 verifies
 * them for a `hostkeys` event nothing here listens to (the key that matters was checked against
 * known_hosts during the key exchange, and known_hosts is never updated from these). The
 * announcement is declined, as OpenSSH's client does with UpdateHostKeys off. ssh2 has no option
 * for it: its message handler is wrapped when its private layout is the expected one (otherwise
 * ssh2 behaves as before).
 */
export function declineHostKeyAnnouncements(client: Client): void {
  const handlers = (client as unknown as { _protocol?: { _handlers?: Record<string, unknown> } })._protocol
    ?._handlers;
  const original = handlers?.GLOBAL_REQUEST;
  if (!handlers || typeof original !== 'function') return;
  const declining: GlobalRequestHandler = (proto, name, wantReply, data) => {
    if (name !== 'hostkeys-00@openssh.com')
      return (original as GlobalRequestHandler)(proto, name, wantReply, data);
    if (wantReply) proto.requestFailure();
  };
  handlers.GLOBAL_REQUEST = declining;
}

/** Opens a direct-tcpip channel from `client` to the next hop, to carry its SSH connection. */
export function forwardTo(client: Client, from: Hop, to: Hop): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, to.host, to.port, (error, stream) => {
      if (error) {
        reject(
          new NetworkSetupError(
            `jump host ${describeHop(from)} could not open a connection to ${describeHop(to)}: ${error.message}`,
          ),
        );
      } else resolve(stream);
    });
  });
}
