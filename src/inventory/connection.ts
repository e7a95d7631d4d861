import type { ConnectionSpec } from '../domain/types.js';
import { isAddress } from './address.js';
import { parseSshArgs } from './ssh-args.js';
import type { VarReader } from './var-reader.js';

/**
 * Builds a host's SSH settings from Ansible's connection variables. Secrets, key files and jump
 * hosts are checked here, before anything is contacted.
 */
export function connectionSpec(r: VarReader, defaultUser: string): ConnectionSpec {
  const name = r.ctx.hostName;
  const host = r.string('ansible_host') ?? name;
  if (!isAddress(host)) {
    r.report(
      'ansible_host',
      r.has('ansible_host')
        ? `ansible_host "${host}" is not an IPv4/IPv6 address or a DNS name`
        : `host name "${name}" is not an IPv4/IPv6 address or a DNS name, and ansible_host is not set`,
      'set ansible_host to the IP address or DNS name SSH should connect to',
    );
  }
  const port = r.int('ansible_port', 22, 1, 65535, 'TCP ports are 1..65535');
  const user = r.string('ansible_user') ?? defaultUser;
  const spec: ConnectionSpec = {
    host,
    port,
    user,
    become: r.bool('ansible_become', false),
    becomeUser: r.string('ansible_become_user') ?? 'root',
    jumpHosts: [],
  };
  // Ansible's ssh plugin reads ansible_ssh_timeout; ansible_timeout is this tool's older spelling.
  const timeoutVar = ['ansible_ssh_timeout', 'ansible_timeout'].find((name) => r.has(name));
  if (timeoutVar) spec.connectTimeoutMs = Math.round(r.positiveNumber(timeoutVar, 10) * 1000);
  if (r.has('ansible_ssh_retries'))
    spec.connectRetries = r.int(
      'ansible_ssh_retries',
      2,
      0,
      20,
      'each retry can wait a whole ansible_ssh_timeout',
    );
  const keyFile = r.readableFile('ansible_ssh_private_key_file');
  if (keyFile) spec.privateKeyFile = keyFile;
  const keyPassphrase = r.secret('ansible_ssh_private_key_passphrase');
  if (keyPassphrase) spec.privateKeyPassphrase = keyPassphrase;
  const password = r.secret('ansible_password');
  if (password) spec.password = password;
  const becomePassword = r.secret('ansible_become_password');
  if (becomePassword) spec.becomePassword = becomePassword;
  const method = r.string('ansible_become_method');
  if (method !== undefined && method !== 'sudo') {
    r.report(
      'ansible_become_method',
      `ansible_become_method "${method}" is not supported: apim-provision becomes root through sudo`,
      'remove ansible_become_method (or set it to sudo) and make sure the login user may use sudo',
    );
  }
  for (const argsVar of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const text = r.string(argsVar);
    if (text === undefined) continue;
    const args = parseSshArgs(text);
    spec.jumpHosts.push(...args.jumpHosts);
    for (const bad of args.badJumps) {
      r.report(
        argsVar,
        `${argsVar}: jump host "${bad}" is not of the form [user@]host[:port]`,
        'write -o ProxyJump=user@host:port (several hops separated by commas) or -J user@host:port',
      );
    }
    for (const jump of args.jumpHosts) {
      if (!isAddress(jump.host)) {
        r.report(
          argsVar,
          `${argsVar}: jump host address "${jump.host}" is not an IPv4/IPv6 address or a DNS name`,
          'write the jump host as user@address:port',
        );
      }
    }
    if (args.unsupported.length > 0) {
      const proxyCommand = args.unsupported.some((u) => /proxycommand/i.test(u));
      r.report(
        argsVar,
        `${argsVar}: ${args.unsupported.join(' ')} ${args.unsupported.length > 1 ? 'are' : 'is'} not supported by apim-provision's SSH client`,
        proxyCommand
          ? 'replace ProxyCommand with -o ProxyJump=user@jumphost:port (or -J user@jumphost:port)'
          : 'keep only -o ProxyJump=... / -J ... here; set the user, port and key with ansible_user, ansible_port and ansible_ssh_private_key_file',
      );
    }
    if (args.ignored.length > 0) {
      r.report(
        argsVar,
        `${argsVar}: ${args.ignored.map((o) => `-o ${o}`).join(', ')} ignored (apim-provision checks host keys against known_hosts and authenticates with ansible_ssh_private_key_file / ansible_password itself; set ansible_ssh_timeout and ansible_ssh_retries for the connect timeout and attempts)`,
        `remove the option from ${argsVar} if the inventory is only used with apim-provision`,
        'warning',
      );
    }
  }
  return spec;
}
