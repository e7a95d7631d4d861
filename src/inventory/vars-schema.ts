import type { DiagnosticBag } from './diagnostic-bag.js';
import { didYouMean } from './did-you-mean.js';
import type { ScopedVars } from './inventory-tree.js';

/*
 * Inventory variables apim-provision reads (the table of docs/inventory.md, where precedence, paths
 * and secret sources are explained).
 *
 * | variable | applies to | type | default | meaning |
 * |---|---|---|---|---|
 * | `ansible_host` | every host | address | inventory name | SSH address; also the node address if `apim_address` is unset |
 * | `ansible_port` | every host | 1..65535 | 22 | SSH port |
 * | `ansible_user` | every host | string | local user name | SSH login user |
 * | `ansible_ssh_private_key_file` | every host | path | (agent/default keys) | private key for SSH |
 * | `ansible_ssh_private_key_passphrase` | every host | secret | | passphrase of that key |
 * | `ansible_password` | every host | secret | | SSH password |
 * | `ansible_become` | every host | bool | false | run privileged commands through sudo |
 * | `ansible_become_user` | every host | string | root | sudo target user |
 * | `ansible_become_password` | every host | secret | | sudo password |
 * | `ansible_become_method` | every host | `sudo` | sudo | only sudo is supported |
 * | `ansible_ssh_common_args`, `ansible_ssh_extra_args` | every host | string | | only `-o ProxyJump=...` / `-J ...` (jump hosts) and harmless `-o` options |
 * | `ansible_timeout` (or `ansible_ssh_timeout`) | every host | seconds | 10 (or `-T`) | wait for the SSH handshake, per attempt |
 * | `ansible_ssh_retries` | every host | 0..20 | 2 | connection attempts after the first (network failures, handshake timeouts) |
 * | `ansible_connection` | every host | `ssh` | ssh | `ssh`, `smart` and `paramiko` mean SSH; any other type is refused for the hosts apim-provision contacts |
 * | `apim_address` | API-M node | address | `ansible_host`, else name | address the load balancer proxies to |
 * | `apim_port_offset` | API-M node | 0..10000 | 0 | the node's WSO2 port offset |
 * | `apim_configure_nodes` | API-M node (or its load balancers) | bool | true when the node has `ansible_host` | configure the node to match its load balancers (the node play) |
 * | `apim_home` | API-M node | absolute path | found: the running Carbon's `-Dcarbon.home`, `/opt/wso2am-<version>`, `/usr/lib/wso2/<name>`, `~wso2<user>/wso2am-<version>` | the carbon home |
 * | `apim_user` | API-M node | user name | the running process's user, else the home's owner | the account API-M runs as (never root) |
 * | `apim_start_method` | API-M node | `auto`, `systemd`, `init`, `script` | auto | how API-M is restarted |
 * | `apim_service` | API-M node | unit or init script name | found | the systemd unit / init script (with `systemd` / `init`) |
 * | `apim_health_url` | API-M node | http(s) URL on the node | (the HTTPS port answers) | must answer 2xx/3xx after a restart |
 * | `apim_restart_timeout` | API-M node | 10..3600 seconds | 300 | how long a restart may take until healthy |
 * | `apim_truststore_password` | API-M node | secret | the node's own configuration, else `wso2carbon` (warning) | password of client-truststore.jks |
 * | `apim_keytool` | API-M node | absolute path | found (PATH, the running Java) | keytool on the node |
 * | `apim_node_settings` | API-M node | map of dotted deployment.toml keys to values | | hand-set settings (checked against the load balancers) |
 * | `apim_version` | load balancer | `2.6`, `3.x`, `4.x` (or 3.2, "4.2.0", ...) | 3.x | WSO2 documentation layout |
 * | `apim_pattern` | load balancer | `single-node`, `active-active`, `distributed`, `simple-scalable` (4.x) | (required) | deployment pattern |
 * | `apim_hostnames` | load balancer | map of api, gw, mgtgw, publisher, store, km, cp, tm | `<key>.am.wso2.com` (mgtgw: `gwm` on 4.x) | server names |
 * | `apim_components` | load balancer | list of roles | every role group present | roles this load balancer fronts (distributed) |
 * | `apim_websocket` | load balancer | bool | false | WebSocket listeners 9099/8099 |
 * | `apim_websocket_timeout` | load balancer | nginx time | 1h | idle timeout of WebSocket connections |
 * | `apim_passthrough` | load balancer | bool | false | pass-through listeners 8243/8280 |
 * | `apim_websub` | load balancer | bool | false | 4.x WebSub event receiver listeners 9021/8021 |
 * | `apim_gateway_http` | load balancer | `auto`, `proxy`, `redirect`, `refuse` | auto | port 80 on the gateway name |
 * | `apim_proxy_context_path` | load balancer | URL path | | the nodes' proxy_context_path, e.g. /apim |
 * | `apim_hsts` | load balancer | bool or per hostname | true (browser names) | HSTS header |
 * | `apim_client_max_body_size` | load balancer | nginx size or per hostname | 100m | largest request body |
 * | `apim_upstream_tls_verify` | load balancer | bool | false (warning) | verify the nodes' certificates |
 * | `apim_upstream_ca_file` | load balancer | path | | PEM CA(s) of the nodes' certificates |
 * | `apim_upstream_tls_name` | load balancer | DNS name or per hostname | the hostname | name the nodes' certificates carry |
 * | `apim_upstream_max_fails`, `apim_upstream_fail_timeout` | load balancer | int, nginx time | 3, 30s | passive health checks |
 * | `apim_active_health_checks` | load balancer | bool | true | NGINX Plus health_check probes |
 * | `apim_admin_allow` | load balancer | list of addresses/CIDRs | (no restriction) | networks allowed on the admin paths |
 * | `apim_status_port` | load balancer | 1..65535 | (off) | status endpoint on localhost |
 * | `apim_default_server` | load balancer | bool | false | mark the port-80 catch-all default_server |
 * | `apim_conf_file` | load balancer | file name ending in .conf | apim.conf | conf.d file written |
 * | `nginx_edition` | load balancer | `auto`, `oss`, `plus` | auto | NGINX edition |
 * | `nginx_oss_source` | load balancer | `distro`, `nginx.org` | distro | where NGINX Community comes from |
 * | `nginx_repo_url` | load balancer | http(s) URL | vendor repository | repository mirror |
 * | `nginx_repo_signing_key` | load balancer | path | vendor key | armored signing key of that repository |
 * | `nginx_repo_ca_file` | load balancer | path | system CAs | CA of an HTTPS mirror / stand-in repository |
 * | `nginx_repo_signing_key_fingerprint` | load balancer | 40 hex digits | nginx.org's | pinned fingerprint of `nginx_repo_signing_key` |
 * | `nginx_plus_repo_cert`, `nginx_plus_repo_key` | load balancer | path | | NGINX Plus repository certificate and key |
 * | `nginx_plus_jwt` | load balancer | path | | NGINX Plus licence JWT (R33+) |
 * | `nginx_plus_keep_repo_credentials` | load balancer | bool | false | keep the repository certificate/key on the host |
 * | `nginx_listen_ipv6` | load balancer | `auto`, bool | auto | also listen on `[::]` (auto: when the host has IPv6) |
 * | `tls_mode` | load balancer | `generate`, `files` | generate | create the certificate or use given files |
 * | `tls_key_type` | load balancer | `ecdsa`, `rsa` | ecdsa | generated key type (ECDSA P-256, or RSA) |
 * | `tls_rsa_bits` | load balancer | >= 2048 | 2048 | generated RSA key size (with `tls_key_type: rsa`) |
 * | `tls_days` | load balancer | 1..366 (more: warning) | 365 | generated certificate validity |
 * | `tls_use_ca` | load balancer | bool | true | sign with the inventory's local CA, `<inventory folder>/.apim-provision/pki` (the one `certs create --ca` uses) |
 * | `tls_certificate_file`, `tls_key_file` | load balancer | path | | certificate and key (files mode) |
 * | `tls_chain_file` | load balancer | path | | intermediates (files mode) |
 * | `tls_key_passphrase` | load balancer | secret | | passphrase of `tls_key_file` |
 */

/** Variables whose values are secrets: never echoed, turned into `Secret` objects. */
export const SECRET_VARS: readonly string[] = [
  'ansible_password',
  'ansible_become_password',
  'ansible_ssh_private_key_passphrase',
  'tls_key_passphrase',
  'apim_truststore_password',
];

const SECRET_SET = new Set(SECRET_VARS);

export const CONNECTION_VARS: readonly string[] = [
  'ansible_host',
  'ansible_port',
  'ansible_user',
  'ansible_ssh_private_key_file',
  'ansible_ssh_private_key_passphrase',
  'ansible_password',
  'ansible_become',
  'ansible_become_user',
  'ansible_become_password',
  'ansible_become_method',
  'ansible_ssh_common_args',
  'ansible_ssh_extra_args',
  'ansible_ssh_timeout',
  'ansible_timeout',
  'ansible_ssh_retries',
  'ansible_connection',
];

/**
 * Ansible's spellings of each connection setting, in Ansible's order: when several are set, the
 * last one set (not null) wins, whatever the precedence of the places they were set in. So the
 * legacy `ansible_ssh_host` beats `ansible_host`, as in Ansible's ssh connection plugin.
 */
export const VAR_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  ansible_host: ['ansible_host', 'ansible_ssh_host'],
  ansible_port: ['ansible_port', 'ansible_ssh_port'],
  ansible_user: ['ansible_user', 'ansible_ssh_user'],
  ansible_password: ['ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'],
  ansible_ssh_private_key_file: ['ansible_private_key_file', 'ansible_ssh_private_key_file'],
  ansible_become_user: ['ansible_become_user', 'ansible_sudo_user'],
  ansible_become_password: ['ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass'],
  ansible_timeout: ['ansible_timeout', 'ansible_ssh_timeout'],
};

const CANONICAL = new Map(
  Object.entries(VAR_SPELLINGS).flatMap(([canonical, spellings]) =>
    spellings.map((s) => [s, canonical] as const),
  ),
);

/** The setting a spelling stands for (`ansible_ssh_pass` -> `ansible_password`). */
export function canonicalName(name: string): string {
  return CANONICAL.get(name) ?? name;
}

export function isSecretVar(name: string): boolean {
  return SECRET_SET.has(canonicalName(name));
}

/** Ansible variables that mean something to Ansible but nothing here: accepted with a warning. */
export const IGNORED_ANSIBLE_VARS: readonly string[] = [
  'ansible_python_interpreter',
  'ansible_shell_type',
  'ansible_shell_executable',
  'ansible_ssh_executable',
  'ansible_scp_extra_args',
  'ansible_sftp_extra_args',
  'ansible_ssh_pipelining',
  'ansible_pipelining',
  'ansible_host_key_checking',
  'ansible_ssh_host_key_checking',
  'ansible_remote_tmp',
  'ansible_become_exe',
  'ansible_become_flags',
  'ansible_sudo_exe',
  'ansible_sudo_flags',
  'ansible_ssh_transfer_method',
  'ansible_scp_if_ssh',
  'ansible_network_os',
  'ansible_ssh_args',
  'ansible_control_path',
  'ansible_control_path_dir',
  'ansible_sftp_batch_mode',
  'ansible_ssh_use_tty',
  'ansible_sshpass_prompt',
  'ansible_ssh_pkcs11_provider',
  'ansible_facts',
];

export const NODE_VARS: readonly string[] = [
  'apim_address',
  'apim_port_offset',
  'apim_configure_nodes',
  'apim_home',
  'apim_user',
  'apim_start_method',
  'apim_service',
  'apim_health_url',
  'apim_restart_timeout',
  'apim_truststore_password',
  'apim_keytool',
  'apim_node_settings',
];

export const LOAD_BALANCER_VARS: readonly string[] = [
  'apim_version',
  'apim_pattern',
  'apim_hostnames',
  'apim_components',
  'apim_websocket',
  'apim_websocket_timeout',
  'apim_passthrough',
  'apim_websub',
  'apim_gateway_http',
  'apim_proxy_context_path',
  'apim_hsts',
  'apim_client_max_body_size',
  'apim_upstream_tls_verify',
  'apim_upstream_ca_file',
  'apim_upstream_tls_name',
  'apim_upstream_max_fails',
  'apim_upstream_fail_timeout',
  'apim_active_health_checks',
  'apim_admin_allow',
  'apim_status_port',
  'apim_default_server',
  'apim_conf_file',
  'nginx_edition',
  'nginx_oss_source',
  'nginx_repo_url',
  'nginx_repo_signing_key',
  'nginx_repo_ca_file',
  'nginx_repo_signing_key_fingerprint',
  'nginx_plus_repo_cert',
  'nginx_plus_repo_key',
  'nginx_plus_jwt',
  'nginx_plus_keep_repo_credentials',
  'nginx_listen_ipv6',
  'tls_mode',
  'tls_key_type',
  'tls_rsa_bits',
  'tls_days',
  'tls_use_ca',
  'tls_certificate_file',
  'tls_key_file',
  'tls_chain_file',
  'tls_key_passphrase',
];

const KNOWN = new Set([
  ...CONNECTION_VARS,
  ...NODE_VARS,
  ...LOAD_BALANCER_VARS,
  ...Object.values(VAR_SPELLINGS).flat(),
  // Read by Ansible's inventory loading itself (a group's priority when set in inventory vars).
  'ansible_group_priority',
]);
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Prefixes reserved for this tool (and Ansible): a misspelt name there must not pass silently. */
const RESERVED_PREFIXES = ['apim_', 'nginx_', 'tls_', 'ansible_'];

/**
 * Checks the names of one scope's variables where they are written: reserved-prefix names must be
 * known; Ansible-only names are accepted with a warning. Other names are free template variables.
 */
export function checkVarNames(vars: ScopedVars, bag: DiagnosticBag): void {
  for (const [name, { origin }] of vars) {
    if (KNOWN.has(name)) continue;
    if (!VARIABLE_NAME.test(name)) {
      bag.push(
        origin.source.diagnostic(
          origin.path,
          `"${name}" is not a valid variable name: Ansible keeps it, but no template can read it`,
          'rename it with letters, digits and underscores, not starting with a digit',
          'warning',
        ),
      );
      continue;
    }
    if (IGNORED_ANSIBLE_VARS.includes(name)) {
      bag.push(
        origin.source.diagnostic(
          origin.path,
          `${name} is an Ansible setting that apim-provision ignores (it always connects with its own SSH client)`,
          `remove ${name} if the inventory is only used with apim-provision; otherwise nothing to do`,
          'warning',
        ),
      );
      continue;
    }
    const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
    if (!prefix) continue;
    const known = [...KNOWN, ...IGNORED_ANSIBLE_VARS];
    const near = didYouMean(name, known);
    if (prefix === 'ansible_' && near === '') {
      // Ansible has many more ansible_* settings; one that is no near miss of ours is theirs.
      bag.push(
        origin.source.diagnostic(
          origin.path,
          `${name} is not used by apim-provision`,
          `nothing to do if it is meant for Ansible; apim-provision's ansible_* variables are listed in docs/inventory.md`,
          'warning',
        ),
      );
      continue;
    }
    bag.push(
      origin.source.diagnostic(
        origin.path,
        `unknown variable ${name}${near}`,
        `variables starting with "${prefix}" are reserved; use a known one (${known
          .filter((k) => k.startsWith(prefix))
          .slice(0, 12)
          .join(
            ', ',
          )}${known.filter((k) => k.startsWith(prefix)).length > 12 ? ', ...' : ''}) or rename your own variable`,
      ),
    );
  }
}
