import type { Client } from 'ssh2';

import { AuthSetupError, buildAuthPlan, type AuthPlan } from './auth-plan.js';
import type { ConnectOptions, ConnectTarget } from './connect-options.js';
import { RetriesExhausted, withRetries } from './retry.js';
import { describeHop, forwardTo, NetworkSetupError, openHop, type Hop } from './ssh-hop.js';
import { SshHostConnection } from './ssh-host-connection.js';
import { UnreachableError, type HostConnection } from './types.js';

export const DEFAULT_RETRIES = 2;
export const FIRST_RETRY_DELAY_MS = 500;

/**
 * Opens an authenticated connection to one host, through its jump hosts in order (each hop is
 * an SSH connection carried by a channel of the previous one, like ProxyJump; jump hosts get the
 * host's keys and agent, never its password). When the host uses become, sudo is checked before
 * returning.
 */
export async function connect(target: ConnectTarget, options: ConnectOptions): Promise<HostConnection> {
  const spec = target.connection;
  let plan: AuthPlan;
  try {
    plan = await buildAuthPlan(spec, options);
  } catch (error) {
    if (error instanceof AuthSetupError) throw new UnreachableError(target.name, error.message);
    throw error;
  }
  const hops: Hop[] = [
    ...spec.jumpHosts.map((jump) => ({
      host: jump.host,
      port: jump.port,
      user: jump.user ?? spec.user,
      role: 'jump' as const,
    })),
    { host: spec.host, port: spec.port, user: spec.user, role: 'target' },
  ];
  const retries = options.retries ?? DEFAULT_RETRIES;

  let clients: Client[];
  try {
    clients = await withRetries(() => openChain(target.name, hops, plan, options, spec.connectTimeoutMs), {
      retries,
      baseDelayMs: FIRST_RETRY_DELAY_MS,
      isRetryable: (error) => error instanceof NetworkSetupError,
    });
  } catch (error) {
    if (error instanceof RetriesExhausted) {
      const via = hops.length > 1 ? ` via ${hops.slice(0, -1).map(describeHop).join(' -> ')}` : '';
      throw new UnreachableError(
        target.name,
        `Cannot reach ${target.name} (${describeHop(hops[hops.length - 1]!)}${via}) after ${error.attempts} attempts: ` +
          `${error.message}. Check that the host is up, that sshd listens on that port, and that no firewall blocks it.`,
      );
    }
    throw error;
  }

  const connection = new SshHostConnection(target.name, clients, {
    hostName: target.name,
    loginUser: spec.user,
    becomeUser: spec.becomeUser,
    ...(spec.becomePassword ? { becomePassword: spec.becomePassword } : {}),
  });
  if (spec.become) {
    try {
      await connection.prepareBecome();
    } catch (error) {
      await connection.close();
      throw error;
    }
  }
  return connection;
}

/** Connects hop by hop; on failure closes whatever was opened. */
async function openChain(
  hostName: string,
  hops: readonly Hop[],
  plan: AuthPlan,
  options: ConnectOptions,
  readyTimeoutMs: number,
): Promise<Client[]> {
  const clients: Client[] = [];
  try {
    for (const [index, hop] of hops.entries()) {
      const previous = clients[index - 1];
      const sock = previous ? await forwardTo(previous, hops[index - 1]!, hop) : undefined;
      clients.push(
        await openHop({ hostName, hop, ...(sock ? { sock } : {}), plan, options, readyTimeoutMs }),
      );
    }
    return clients;
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    throw error;
  }
}
