import type { AuthPlan } from './auth-plan.js';
import type { ConnectOptions, ConnectTarget } from './connect-options.js';
import { expandHome } from './known-hosts.js';
import type { Hop } from './ssh-hop.js';

/** Ansible's default SSH timeout (`timeout` of its ssh plugin). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Extra attempts after a network failure. Ansible's default is none; a lost packet should not fail a host. */
export const DEFAULT_RETRIES = 2;

/** A resolved setting and where it came from, for the -vvv plan. */
interface Setting {
  value: number;
  from: string;
}

/** How one host is reached: every hop, the wait per attempt and the number of attempts. */
export interface ConnectionPlan {
  hops: Hop[];
  timeout: Setting;
  retries: Setting;
}

/** Inventory variables win over the run's options (-T), which win over the defaults, as in Ansible. */
export function planConnection(target: ConnectTarget, options: ConnectOptions): ConnectionPlan {
  const spec = target.connection;
  const pick = (
    own: number | undefined,
    ownFrom: string,
    run: number | undefined,
    fallback: number,
  ): Setting =>
    own !== undefined
      ? { value: own, from: ownFrom }
      : run !== undefined
        ? { value: run, from: 'run option' }
        : { value: fallback, from: 'default' };
  return {
    hops: [
      ...spec.jumpHosts.map((jump) => ({
        host: jump.host,
        port: jump.port,
        user: jump.user ?? spec.user,
        role: 'jump' as const,
      })),
      { host: spec.host, port: spec.port, user: spec.user, role: 'target' },
    ],
    timeout: pick(
      spec.connectTimeoutMs,
      spec.connectTimeoutFrom ?? 'inventory',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    retries: pick(spec.connectRetries, 'inventory', options.retries, DEFAULT_RETRIES),
  };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function login(hop: Hop): string {
  return `${hop.user}@${hop.host}:${hop.port}`;
}

/**
 * The plan as -vvv shows it, before the first attempt: every hop, the timeouts, the known_hosts
 * policy and the authentication methods in the order they are tried. Labels name files and
 * sockets, never a secret.
 */
export function describeConnectionPlan(
  target: ConnectTarget,
  plan: ConnectionPlan,
  auth: AuthPlan,
  options: ConnectOptions,
): string[] {
  const spec = target.connection;
  const jumps = plan.hops.filter((h) => h.role === 'jump');
  const attempts = plan.retries.value + 1;
  const files = options.knownHostsFiles.map(expandHome).join(', ');
  const become = !spec.become
    ? 'no'
    : `sudo to ${spec.becomeUser} (${spec.becomePassword ? 'with a password' : 'passwordless sudo is checked'})`;
  return [
    `SSH connection plan for ${target.name}:`,
    `  connect to:  ${login(plan.hops[plan.hops.length - 1]!)}`,
    ...(jumps.length > 0 ? [`  through:     ${jumps.map(login).join(' -> ')}`] : []),
    `  attempts:    ${attempts} (${plan.retries.value} retries, ${plan.retries.from}), ${seconds(plan.timeout.value)} each for the SSH handshake (${plan.timeout.from})`,
    `  host keys:   ${files || '(none)'}; unknown keys ${options.acceptNewHostKeys ? 'recorded in the first file' : 'refused'}, changed keys refused`,
    `  auth:        ${auth.methods.length > 0 ? auth.methods.join(', ') : '(nothing to try)'}`,
    ...(jumps.length > 0
      ? [`  jump auth:   ${auth.jumpMethods.length > 0 ? auth.jumpMethods.join(', ') : '(nothing to try)'}`]
      : []),
    `  become:      ${become}`,
  ];
}
