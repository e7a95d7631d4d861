/**
 * Puts a lab load balancer back to a known state: no nginx (Community or the Plus stand-in), no
 * configuration, no apim-provision state, and none of the repository files an NGINX Plus or
 * nginx.org install leaves (a Plus source without its removed client certificate would make
 * every later `apt-get update` fail).
 */
import type { Lab } from '../../../src/lab/index.js';
import { labRun } from './lab.js';

const REPOSITORY_FILES = [
  '/etc/apt/sources.list.d/nginx-plus.list',
  '/etc/apt/sources.list.d/nginx.list',
  '/etc/apt/apt.conf.d/90pkgs-nginx',
  '/etc/apt/preferences.d/99nginx',
  '/usr/share/keyrings/nginx-archive-keyring.gpg',
  '/etc/ssl/nginx',
];

export async function resetLoadBalancer(lab: Lab, machine: string): Promise<void> {
  const script = [
    'set -e',
    'export DEBIAN_FRONTEND=noninteractive',
    // Without systemd in the lab containers, purging the package leaves nginx running: stop it
    // through its pid file (master first, then any worker it left behind).
    'if [ -s /run/nginx.pid ]; then',
    '  pid="$(cat /run/nginx.pid)"',
    '  kill -TERM "$pid" 2>/dev/null || true',
    '  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done',
    '  pkill -KILL -P "$pid" 2>/dev/null || true',
    '  kill -KILL "$pid" 2>/dev/null || true',
    '  rm -f /run/nginx.pid',
    'fi',
    // dpkg-query lists only installed packages; purging nothing is fine.
    `pkgs="$(dpkg-query -W -f '\${Package} \${Status}\\n' 'nginx*' 2>/dev/null | awk '$NF == "installed" { print $1 }')"`,
    '[ -z "$pkgs" ] || apt-get purge -y -q $pkgs >/dev/null',
    'apt-get autoremove -y -q --purge >/dev/null',
    `rm -rf /etc/nginx /var/lib/apim-provision /var/log/nginx ${REPOSITORY_FILES.join(' ')}`,
    // The next apply must start nginx itself, so nothing may hold the HTTPS port any more.
    `if ss -Hltn 'sport = :443' | grep -q LISTEN; then echo 'port 443 is still in use after the reset' >&2; exit 1; fi`,
    // Indexes of a removed repository would still offer its packages until the next update.
    'rm -f /var/lib/apt/lists/*_plus_debian_* /var/lib/apt/lists/*nginx.org*',
  ].join('\n');
  await labRun(lab, machine, script, true);
}
