import { CORE_FUNCTIONS, PRELUDE } from './shell-lib.js';
import { Records, RemoteOutputError, decodeText } from './output-protocol.js';
import { assembleScript, assertAbsolutePath, base64One, sh, shQuote, trimSlash } from './shell.js';

export type OsFamily = 'debian' | 'rhel' | 'other';
export type PackageManager = 'apt' | 'dnf' | 'yum';
export type ServiceManagerKind = 'systemd' | 'sysv' | 'none';

export interface OsFacts {
  id: string;
  versionId: string;
  codename: string;
  family: OsFamily;
  prettyName: string;
}

export interface NginxFacts {
  binary: string;
  version: string;
  /** `nginx -V` says nginx-plus, or the nginx-plus package is installed. */
  plus: boolean;
  prefix: string;
  confPath: string;
  /** Effective pid file: the `pid` directive of confPath, else the compiled-in path. */
  pidPath: string;
  /** Effective error log: the main `error_log` of confPath, else the compiled-in path. */
  errorLogPath: string;
  /** `--with-*_module` names from `nginx -V`. */
  modules: string[];
  configureArgs: string;
  running: boolean;
  masterPid?: number;
}

export type RemoteFileFact =
  | { exists: false }
  | {
      exists: true;
      type: 'file' | 'directory' | 'link' | 'other';
      /** Regular files only. */
      sha256?: string;
      /** 4-digit octal, e.g. `0644`. */
      mode: string;
      owner: string;
      group: string;
      size: number;
    };

export interface StateFacts {
  pendingReload: boolean;
  /** The run id that left the reload pending. */
  pendingReason?: string;
  managedFiles: string[];
  /** Snapshot ids, newest last. */
  snapshots: string[];
  /** Another apply holds the lock right now. */
  locked: boolean;
}

export interface HostFacts {
  os: OsFacts;
  arch: string;
  /** The kernel has IPv6 (`/proc/net/if_inet6`); unknown counts as yes, as nginx's default. */
  ipv6: boolean;
  packageManager: PackageManager | null;
  serviceManager: ServiceManagerKind;
  user: { uid: number; name: string };
  nginx?: NginxFacts;
  /**
   * Version of the `nginx` package the distribution would install (apt's candidate), when nginx
   * is not installed: rendering in check mode follows the nginx the install task will bring.
   */
  nginxCandidateVersion?: string;
  files: Record<string, RemoteFileFact>;
  state: StateFacts;
}

export interface FactsOptions {
  /** Files and folders whose state the plan needs. */
  paths: string[];
  stateDir: string;
  /** nginx.conf to read `pid`/`error_log` from (default: the compiled-in conf path). */
  confPath?: string;
  /** nginx binary (default: `nginx` on PATH, then the usual locations). */
  nginxBinary?: string;
}

/** One round trip: OS, tools, nginx build and process, file states, and the tool's own state. */
export function factsScript(opts: FactsOptions): string {
  assertAbsolutePath(opts.stateDir, 'stateDir');
  for (const p of opts.paths) assertAbsolutePath(p, 'path');
  if (opts.confPath) assertAbsolutePath(opts.confPath, 'confPath');
  if (opts.nginxBinary) assertAbsolutePath(opts.nginxBinary, 'nginxBinary');
  const pathList = opts.paths.map(base64One).join('\n');
  return assembleScript('apim-provision facts', [
    PRELUDE,
    `STATE=${shQuote(trimSlash(opts.stateDir))}`,
    `CONF_OVERRIDE=${shQuote(opts.confPath ?? '')}`,
    `NGINX_OVERRIDE=${shQuote(opts.nginxBinary ?? '')}`,
    CORE_FUNCTIONS,
    FACTS_BODY,
    `while IFS= read -r b64; do [ -n "$b64" ] && apim_file_fact "$b64"; done <<'APIM_DATA_END'\n${pathList}\nAPIM_DATA_END`,
    'apim_emit done 1',
  ]);
}

const FACTS_BODY = sh`
for f in /etc/os-release /usr/lib/os-release; do
  if [ -r "$f" ]; then apim_emit os_release "$(apim_b64enc <"$f")"; break; fi
done
apim_emit arch "$(uname -m)"
# IPv6 in the kernel (disabled hosts have no if_inet6): nginx cannot bind [::] without it.
if [ -e /proc/net/if_inet6 ]; then apim_emit ipv6 1; else apim_emit ipv6 0; fi
if command -v apt-get >/dev/null 2>&1; then apim_emit pkg apt
elif command -v dnf >/dev/null 2>&1; then apim_emit pkg dnf
elif command -v yum >/dev/null 2>&1; then apim_emit pkg yum
else apim_emit pkg none; fi
if [ -d /run/systemd/system ]; then apim_emit svc systemd
elif command -v service >/dev/null 2>&1; then apim_emit svc sysv
else apim_emit svc none; fi
apim_emit uid "$(id -u)"
apim_emit_b64 user "$(id -un 2>/dev/null || echo unknown)"

NGINX=$NGINX_OVERRIDE
if [ -z "$NGINX" ]; then
  NGINX=$(command -v nginx 2>/dev/null || :)
  for f in /usr/sbin/nginx /usr/local/sbin/nginx /usr/local/nginx/sbin/nginx; do
    [ -n "$NGINX" ] && break
    [ -x "$f" ] && NGINX=$f
  done
fi
if [ -n "$NGINX" ] && [ -x "$NGINX" ]; then
  apim_emit_b64 nginx_binary "$NGINX"
  nginx_v=$("$NGINX" -V 2>&1)
  apim_emit_b64 nginx_v "$nginx_v"
  prefix=$(printf '%s\n' "$nginx_v" | sed -n 's/.*--prefix=\([^ ]*\).*/\1/p')
  [ -n "$prefix" ] || prefix=/usr/local/nginx
  conf=$CONF_OVERRIDE
  [ -n "$conf" ] || conf=$(printf '%s\n' "$nginx_v" | sed -n 's/.*--conf-path=\([^ ]*\).*/\1/p')
  [ -n "$conf" ] || conf=conf/nginx.conf
  case $conf in /*) ;; *) conf=$\{prefix%/}/$conf ;; esac
  conf_value() {
    sed -n "s/^$1[[:space:]]\{1,\}\([^;]*\);.*/\1/p" "$conf" 2>/dev/null | head -n 1 | tr -d "\"'" | awk '{print $1}'
  }
  pid=$(conf_value pid)
  [ -n "$pid" ] || pid=$(printf '%s\n' "$nginx_v" | sed -n 's/.*--pid-path=\([^ ]*\).*/\1/p')
  [ -n "$pid" ] || pid=logs/nginx.pid
  case $pid in /*) ;; *) pid=$\{prefix%/}/$pid ;; esac
  elog=$(conf_value error_log)
  [ -n "$elog" ] || elog=$(printf '%s\n' "$nginx_v" | sed -n 's/.*--error-log-path=\([^ ]*\).*/\1/p')
  [ -n "$elog" ] || elog=logs/error.log
  case $elog in /* | stderr | syslog:* | memory:*) ;; *) elog=$\{prefix%/}/$elog ;; esac
  apim_emit_b64 nginx_conf "$conf"
  apim_emit_b64 nginx_pid_path "$pid"
  apim_emit_b64 nginx_error_log "$elog"
  master=$(cat "$pid" 2>/dev/null | tr -cd '0-9')
  if [ -n "$master" ] && kill -0 "$master" 2>/dev/null; then apim_emit nginx_master "$master"; fi
fi
if [ -z "$NGINX" ] && command -v apt-cache >/dev/null 2>&1; then
  candidate=$(apt-cache policy nginx 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && apim_emit nginx_candidate "$candidate"
fi
plus_pkg=0
if command -v dpkg-query >/dev/null 2>&1; then
  dpkg-query -W -f='$\{Status}' nginx-plus 2>/dev/null | grep -q 'install ok installed' && plus_pkg=1
elif command -v rpm >/dev/null 2>&1; then
  rpm -q nginx-plus >/dev/null 2>&1 && plus_pkg=1
fi
apim_emit plus_package "$plus_pkg"

if [ -f "$STATE/pending-reload" ]; then apim_emit_b64 pending "$(cat "$STATE/pending-reload")"; fi
if [ -f "$STATE/managed-files" ]; then apim_emit managed "$(apim_b64enc <"$STATE/managed-files")"; fi
if [ -f "$STATE/snapshots/index" ]; then
  while IFS= read -r id; do
    [ -n "$id" ] && [ -d "$STATE/snapshots/$id" ] && apim_emit snapshot "$id"
  done <"$STATE/snapshots/index"
fi
if [ -f "$STATE/lock" ] && command -v flock >/dev/null 2>&1; then
  flock -n "$STATE/lock" true || apim_emit locked 1
elif [ -d "$STATE/lock.d" ]; then
  holder=$(cat "$STATE/lock.d/pid" 2>/dev/null || :)
  if [ -z "$holder" ] || kill -0 "$holder" 2>/dev/null; then apim_emit locked 1; fi
fi

apim_file_fact() {
  p=$(printf '%s' "$1" | apim_b64dec)
  if [ ! -e "$p" ] && [ ! -L "$p" ]; then
    apim_emit file "$1 0"
    return 0
  fi
  if [ -L "$p" ]; then t=link
  elif [ -f "$p" ]; then t=file
  elif [ -d "$p" ]; then t=directory
  else t=other; fi
  st=$(apim_stat "$p") || { apim_emit file "$1 0"; return 0; }
  set -- "$1" $st
  sum=-
  [ "$t" = file ] && sum=$(apim_sha256 "$p")
  apim_emit file "$1 1 $t $2 $3 $4 $7 $sum"
}
`;

function parseOsRelease(text: string): OsFacts {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2] ?? '';
    if (/^".*"$/.test(v) || /^'.*'$/.test(v)) v = v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    vars.set(m[1] ?? '', v);
  }
  const id = vars.get('ID') ?? 'unknown';
  const like = (vars.get('ID_LIKE') ?? '').split(/\s+/);
  const all = [id, ...like];
  const family: OsFamily = all.some((x) => x === 'debian' || x === 'ubuntu')
    ? 'debian'
    : all.some((x) => ['rhel', 'fedora', 'centos'].includes(x))
      ? 'rhel'
      : 'other';
  return {
    id,
    versionId: vars.get('VERSION_ID') ?? '',
    codename: vars.get('VERSION_CODENAME') ?? vars.get('UBUNTU_CODENAME') ?? '',
    family,
    prettyName: vars.get('PRETTY_NAME') ?? id,
  };
}

/** Parses the build description printed by `nginx -V`. */
export function parseNginxV(text: string): {
  version: string;
  plus: boolean;
  configureArgs: string;
  prefix: string;
  confPath: string;
  modules: string[];
} {
  const versionLine = /nginx version: nginx\/(\S+)(.*)/.exec(text);
  const configureArgs = /configure arguments:(.*)/.exec(text)?.[1]?.trim() ?? '';
  const arg = (name: string): string | undefined =>
    new RegExp(`(?:^|\\s)--${name}=(\\S+)`).exec(configureArgs)?.[1];
  const prefix = arg('prefix') ?? '/usr/local/nginx';
  const confArg = arg('conf-path') ?? 'conf/nginx.conf';
  const modules = [...configureArgs.matchAll(/(?:^|\s)--with-([A-Za-z0-9_]+_module)(?=\s|=|$)/g)].map(
    (m) => m[1] ?? '',
  );
  return {
    version: versionLine?.[1] ?? 'unknown',
    plus: /nginx-plus/.test(versionLine?.[2] ?? '') || /nginx-plus/.test(text.split('\n')[0] ?? ''),
    configureArgs,
    prefix,
    confPath: confArg.startsWith('/') ? confArg : `${trimSlash(prefix)}/${confArg}`,
    modules: [...new Set(modules)],
  };
}

function parseFileFact(fields: string[]): RemoteFileFact {
  const [exists, type, mode, owner, group, size, sha] = fields;
  if (exists !== '1') return { exists: false };
  const t = type === 'file' || type === 'directory' || type === 'link' ? type : 'other';
  return {
    exists: true,
    type: t,
    ...(t === 'file' && sha && sha !== '-' ? { sha256: sha } : {}),
    mode: mode ?? '0000',
    owner: owner ?? '',
    group: group ?? '',
    size: Number(size ?? 0),
  };
}

export function parseFacts(stdout: string): HostFacts {
  const r = Records.parse(stdout);
  if (!r.flag('done')) {
    throw new RemoteOutputError(
      `the facts script did not finish: ${r.messages().slice(-5).join(' | ') || 'no output'}`,
      stdout,
    );
  }
  const osText = r.text('os_release') ?? '';
  const pkg = r.get('pkg');
  const svc = r.get('svc');
  const files: Record<string, RemoteFileFact> = {};
  for (const value of r.all('file')) {
    const [b64, ...rest] = value.split(' ');
    files[decodeText(b64 ?? '')] = parseFileFact(rest);
  }
  const pending = r.get('pending');
  const managed = r.text('managed');
  const facts: HostFacts = {
    os: parseOsRelease(osText),
    arch: r.get('arch') ?? 'unknown',
    ipv6: r.get('ipv6') !== '0',
    packageManager: pkg === 'apt' || pkg === 'dnf' || pkg === 'yum' ? pkg : null,
    serviceManager: svc === 'systemd' || svc === 'sysv' ? svc : 'none',
    user: { uid: Number(r.get('uid') ?? -1), name: r.text('user') ?? '' },
    files,
    state: {
      pendingReload: pending !== undefined,
      ...(pending !== undefined && decodeText(pending).trim() !== ''
        ? { pendingReason: decodeText(pending).trim() }
        : {}),
      managedFiles: managed ? managed.split('\n').filter((l) => l !== '') : [],
      snapshots: r.all('snapshot'),
      locked: r.flag('locked'),
    },
  };
  const candidate = /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(r.get('nginx_candidate') ?? '');
  if (candidate?.[1]) facts.nginxCandidateVersion = candidate[1];
  const binary = r.text('nginx_binary');
  if (binary !== undefined) {
    const v = parseNginxV(r.text('nginx_v') ?? '');
    const master = r.get('nginx_master');
    facts.nginx = {
      binary,
      version: v.version,
      plus: v.plus || r.flag('plus_package'),
      prefix: v.prefix,
      confPath: r.text('nginx_conf') ?? v.confPath,
      pidPath: r.text('nginx_pid_path') ?? '',
      errorLogPath: r.text('nginx_error_log') ?? '',
      modules: v.modules,
      configureArgs: v.configureArgs,
      running: master !== undefined,
      ...(master !== undefined ? { masterPid: Number(master) } : {}),
    };
  }
  return facts;
}
