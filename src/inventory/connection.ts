import type { ConnectionSpec } from '../domain/types.js';
import { isAddress } from './address.js';
import { parseJumpHost, parseSshArgs } from './ssh-args.js';
import type { SshConfigLookup } from './ssh-config.js';
import { resolveInventoryPath, unreadableReason } from './local-file.js';
import type { VarReader } from './var-reader.js';

/**
 * Connection settings that do not come from the inventory, by where they come from: the command
 * line (-u, --private-key, -T), then ANSIBLE_* variables, then ansible.cfg (Ansible's order). The
 * inventory's variables beat all of them, as in Ansible; -e beats the inventory.
 */
export interface ConnectionDefaults {
  user?: string;
  port?: number;
  privateKeyFile?: string;
  timeoutSeconds?: number;
  /** Where the timeout was set (-T, ANSIBLE_TIMEOUT, ansible.cfg), for the -vvv connection plan. */
  timeoutFrom?: string;
  become?: boolean;
  becomeUser?: string;
  /** Where `user` etc. were set, for messages ("-u", "ANSIBLE_REMOTE_USER", "ansible.cfg"). */
  origin?: string;
  /** ~/.ssh/config: used for what neither the inventory nor the defaults set. */
  sshConfig?: SshConfigLookup;
  /** The local user name (ssh's default login). */
  localUser: string;
}

/** Ansible's connection types that mean SSH. */
const SSH_CONNECTIONS = ['ssh', 'smart', 'paramiko', 'paramiko_ssh'];

/**
 * Builds a host's SSH settings from Ansible's connection variables. Secrets, key files and jump
 * hosts are checked here, before anything is contacted.
 */
export function connectionSpec(r: VarReader, defaults: ConnectionDefaults): ConnectionSpec {
  const name = r.ctx.hostName;
  const connection = r.string('ansible_connection');
  if (connection !== undefined && !SSH_CONNECTIONS.includes(connection)) {
    r.report(
      'ansible_connection',
      `ansible_connection: ${connection} is not supported: apim-provision reaches hosts over SSH only`,
      'remove ansible_connection (or set it to ssh) for the hosts apim-provision works on',
    );
  }
  const target = r.string('ansible_host') ?? name;
  const ssh = defaults.sshConfig?.lookup(target);
  const host = ssh?.hostName ?? target;
  if (!isAddress(host)) {
    r.report(
      'ansible_host',
      r.has('ansible_host')
        ? `ansible_host "${host}" is not an IPv4/IPv6 address or a DNS name`
        : `host name "${name}" is not an IPv4/IPv6 address or a DNS name, and ansible_host is not set`,
      'set ansible_host to the IP address or DNS name SSH should connect to',
    );
  }
  if (ssh && ssh.unsupported.length > 0) {
    r.report(
      'ansible_host',
      `${ssh.file} sets ${ssh.unsupported.join(', ')} for ${target} (Host ${ssh.matched ?? target}), which apim-provision's SSH client cannot honour`,
      'use ProxyJump instead of ProxyCommand in the ssh configuration (or -o ProxyJump=... in ansible_ssh_common_args)',
    );
  }
  const port = r.has('ansible_port')
    ? r.int('ansible_port', 22, 1, 65535, 'TCP ports are 1..65535')
    : (defaults.port ?? ssh?.port ?? 22);
  const user = r.string('ansible_user') ?? defaults.user ?? ssh?.user ?? defaults.localUser;
  const spec: ConnectionSpec = {
    host,
    port,
    user,
    become: r.has('ansible_become') ? r.bool('ansible_become', false) : (defaults.become ?? false),
    becomeUser: r.string('ansible_become_user') ?? defaults.becomeUser ?? 'root',
    jumpHosts: [],
  };
  // ansible_timeout or its spelling ansible_ssh_timeout (vars-schema.ts); unset, -T /
  // ANSIBLE_TIMEOUT / ansible.cfg apply, then the transport's default.
  if (r.has('ansible_timeout')) {
    spec.connectTimeoutMs = Math.round(r.positiveNumber('ansible_timeout', 10) * 1000);
    spec.connectTimeoutFrom = 'inventory';
  } else if (defaults.timeoutSeconds !== undefined) {
    spec.connectTimeoutMs = Math.round(defaults.timeoutSeconds * 1000);
    spec.connectTimeoutFrom = defaults.timeoutFrom ?? 'run option';
  }
  if (r.has('ansible_ssh_retries'))
    spec.connectRetries = r.int(
      'ansible_ssh_retries',
      2,
      0,
      20,
      'each retry can wait a whole ansible_ssh_timeout',
    );
  const keyFile = r.has('ansible_ssh_private_key_file')
    ? r.readableFile('ansible_ssh_private_key_file')
    : (defaults.privateKeyFile ?? firstReadable(ssh?.identityFiles ?? [], r));
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
  for (const argsVar of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) sshArgs(r, argsVar, spec);
  if (spec.jumpHosts.length === 0 && ssh?.proxyJump !== undefined && ssh.proxyJump.toLowerCase() !== 'none') {
    for (const hop of ssh.proxyJump.split(',')) {
      const jump = parseJumpHost(hop.trim());
      if (jump) spec.jumpHosts.push(jump);
      else
        r.report(
          'ansible_host',
          `${ssh.file}: ProxyJump "${hop.trim()}" for ${target} is not of the form [user@]host[:port]`,
          'correct the ProxyJump line of the ssh configuration',
        );
    }
  }
  return spec;
}

/** ssh tries each IdentityFile in turn; apim-provision uses the first one that can be read. */
function firstReadable(files: readonly string[], r: VarReader): string | undefined {
  return files
    .map((f) => resolveInventoryPath(f, r.ctx.inventoryDir, r.ctx.home))
    .find((f) => unreadableReason(f) === undefined);
}

function sshArgs(r: VarReader, argsVar: string, spec: ConnectionSpec): void {
  const text = r.string(argsVar);
  if (text === undefined) return;
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
