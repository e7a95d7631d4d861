/**
 * Stands in for transport/connect.ts in engine tests (through vi.mock): connecting to an inventory
 * host yields a FakeHostConnection to the FakeHost registered under its name, or the error
 * registered for it (unreachable, changed host key).
 */
import type { ConnectTarget } from '../../../../src/transport/connect-options.js';
import type { HostConnection } from '../../../../src/transport/types.js';
import { FakeHostConnection } from './fake-connection.js';
import type { FakeHost } from './fake-host.js';

const hosts = new Map<string, FakeHost | Error>();
export const connections = new Map<string, FakeHostConnection>();
export const connectAttempts: string[] = [];
/** What each connection was asked for (the become password of -K among it). */
export const connectTargets = new Map<string, ConnectTarget>();

export function resetNetwork(): void {
  hosts.clear();
  connections.clear();
  connectTargets.clear();
  connectAttempts.length = 0;
}

export function addHost(host: FakeHost): FakeHost {
  hosts.set(host.name, host);
  return host;
}

export function failConnect(name: string, error: Error): void {
  hosts.set(name, error);
}

export async function fakeConnect(target: ConnectTarget): Promise<HostConnection> {
  connectAttempts.push(target.name);
  connectTargets.set(target.name, target);
  const entry = hosts.get(target.name);
  if (entry === undefined) throw new Error(`the fake network has no host ${target.name}`);
  if (entry instanceof Error) throw entry;
  const conn = new FakeHostConnection(entry);
  connections.set(target.name, conn);
  return conn;
}
