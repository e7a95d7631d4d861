import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';

import { AuthSetupError, buildAuthPlan, type AuthPlan } from './auth-plan.js';
import type { ConnectOptions, ConnectTarget } from './connect-options.js';
import { describeConnectionPlan, planConnection } from './connection-plan.js';
import { RetriesAborted, RetriesExhausted, withRetries } from './retry.js';
import { EarlyDial } from './early-dial.js';
import { describeHop, forwardTo, NetworkSetupError, openHop, type Hop } from './ssh-hop.js';
import { SshHostConnection } from './ssh-host-connection.js';
import { ConnectAborted, UnreachableError, type HostConnection } from './types.js';

export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_RETRIES } from './connection-plan.js';
export const FIRST_RETRY_DELAY_MS = 500;

/**
 * Opens an authenticated connection to one host, through its jump hosts in order (each hop is
 * an SSH connection carried by a channel of the previous one, like ProxyJump; jump hosts get the
 * host's keys and agent, never its password). When the host uses become, sudo is checked before
 * returning.
 */
export async function connect(target: ConnectTarget, options: ConnectOptions): Promise<HostConnection> {
  const spec = target.connection;
  const trace = (message: string): void => options.onTrace?.({ hostName: target.name, message });
  const plan = planConnection(target, options);
  const { hops } = plan;
  // TCP first, the key after: the server sets its side up meanwhile (early-dial.ts).
  const early = options.signal?.aborted ? undefined : new EarlyDial(hops[0]!);
  let auth: AuthPlan;
  try {
    auth = await buildAuthPlan(spec, options);
  } catch (error) {
    early?.dispose();
    if (error instanceof AuthSetupError) throw new UnreachableError(target.name, error.message);
    throw error;
  }
  if (options.onTrace) for (const line of describeConnectionPlan(target, plan, auth, options)) trace(line);
  const attempts = plan.retries.value + 1;
  let attempt = 0;

  let clients: Client[];
  try {
    clients = await withRetries(
      () => {
        attempt += 1;
        trace(`attempt ${attempt}/${attempts}: TCP connection to ${describeHop(hops[0]!)}`);
        const sock = early?.take();
        return openChain(target.name, hops, sock, auth, options, plan.timeout.value, trace);
      },
      {
        retries: plan.retries.value,
        baseDelayMs: FIRST_RETRY_DELAY_MS,
        isRetryable: (error) => error instanceof NetworkSetupError,
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (error, failed, delayMs) =>
          trace(
            `attempt ${failed}/${attempts} failed: ${(error as Error).message}; next attempt in ${delayMs} ms`,
          ),
      },
    );
  } catch (error) {
    early?.dispose();
    if (error instanceof RetriesAborted) throw new ConnectAborted(target.name);
    if (error instanceof RetriesExhausted) {
      const via = hops.length > 1 ? ` via ${hops.slice(0, -1).map(describeHop).join(' -> ')}` : '';
      const timedOut = /no SSH handshake within/.test(error.message)
        ? ' To wait longer or try more often, set ansible_ssh_timeout / ansible_ssh_retries (or -T).'
        : '';
      throw new UnreachableError(
        target.name,
        `Cannot reach ${target.name} (${describeHop(hops[hops.length - 1]!)}${via}) after ${error.attempts} attempt${error.attempts === 1 ? '' : 's'}: ` +
          `${error.message}. Check that the host is up, that sshd listens on that port, and that no firewall blocks it.${timedOut}`,
      );
    }
    throw error;
  }
  trace(`connected to ${describeHop(hops[hops.length - 1]!)} as ${spec.user}`);

  // Become (sudo) is found by the first become command, the facts: no round trip of its own.
  return new SshHostConnection(target.name, clients, {
    hostName: target.name,
    loginUser: spec.user,
    becomeUser: spec.becomeUser,
    ...(spec.becomePassword ? { becomePassword: spec.becomePassword } : {}),
  });
}

/** Connects hop by hop; on failure closes whatever was opened. */
async function openChain(
  hostName: string,
  hops: readonly Hop[],
  first: Duplex | undefined,
  plan: AuthPlan,
  options: ConnectOptions,
  readyTimeoutMs: number,
  trace: (message: string) => void,
): Promise<Client[]> {
  const clients: Client[] = [];
  try {
    for (const [index, hop] of hops.entries()) {
      const previous = clients[index - 1];
      const sock = previous ? await forwardTo(previous, hops[index - 1]!, hop) : first;
      clients.push(
        await openHop({ hostName, hop, ...(sock ? { sock } : {}), plan, options, readyTimeoutMs, trace }),
      );
    }
    return clients;
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    first?.destroy();
    throw error;
  }
}
