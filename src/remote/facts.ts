import { Records, RemoteOutputError, decodeField, decodeText, decodeValue } from './output-protocol.js';
import { ScriptInput, path, text, token } from './script-input.js';
import { program } from './scripts.js';
import { PACKAGE_NAME, SERVICE_NAME, assertPath, assertValue } from './values.js';

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
  /**
   * What `nginx -V` printed, with the identity the binary had before it ran (`<device> <inode>
   * <size> <mtime> <ctime>`; a regular file only): a transaction takes this text instead of running
   * nginx -V again while the binary still has that identity (the host checks it).
   */
  versionSeen?: NginxVersionSeen;
}

export interface NginxVersionSeen {
  identity: string;
  text: string;
}

/** A binary's identity as the remote programs state it: device, inode, size, mtime, ctime. */
export const BINARY_IDENTITY = /^\d+ \d+ \d+ \d+ \d+$/;

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
  /** Files each module manages on this host (`$STATE/records`), by module. */
  records: Record<string, string[]>;
  /** The sha256 of what the managing module last wrote at each recorded path. */
  recordedSha: Record<string, string>;
  /** The note recorded with that sha256 (only where there is one): about those bytes only. */
  recordedNote: Record<string, string>;
  /** Files an earlier version recorded without saying which module manages them: never retired. */
  legacyRecords: string[];
  /** The earlier version's record file is still there (the next transaction converts it). */
  legacyFile: boolean;
  /** Snapshot ids, newest last. */
  snapshots: string[];
}

/** What the host says about a package (the `package` fact query). */
export interface PackageFact {
  installed: boolean;
  version?: string;
  /** The version apt would install or upgrade to (apt only). */
  candidate?: string;
}

/** What the host says about a service; `unknown` when it could not be asked without running code. */
export interface ServiceFact {
  active: 'active' | 'inactive' | 'unknown';
  enabled: 'enabled' | 'disabled' | 'unknown';
}

/** A carbon home found on an API-M node (node-facts.sh). */
export interface ApimHomeFact {
  /** Canonical path (links resolved). */
  home: string;
  owner: string;
  /** First line of bin/version.txt (`WSO2 API Manager v4.2.0`), empty when absent. */
  versionText: string;
  /** bin/api-manager.sh and/or bin/wso2server.sh, absolute. */
  scripts: string[];
  /**
   * Carbon processes running from it (-Dcarbon.home), with their user, the keytool next to their
   * java and the systemd service they run in.
   */
  processes: Array<{ pid: number; user: string; keytool?: string; unit?: string }>;
  /** systemd units naming the home, with their `User=` (empty: root). */
  units: Array<{ name: string; user: string }>;
  /** Init scripts (/etc/init.d) naming the home. */
  initScripts: string[];
}

/** What the `apim-home` query found. */
export interface ApimDiscovery {
  /** Where it looked (the given home, or the usual places), for messages. */
  searched: string[];
  homes: ApimHomeFact[];
  /** keytool on PATH. */
  keytool?: string;
  /** Tools present for restarts and health checks (curl, wget, openssl, runuser, setpriv, su, ...). */
  tools: string[];
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
  /**
   * Contents of the files asked for with `content` queries (and the `diff` queries answered); null:
   * not a readable regular file.
   */
  contents: Record<string, Buffer | null>;
  /**
   * Files `content` queries with `orRecord` did not read, with the sha256 the host found: it is the
   * one `$STATE/records` holds for the file (see FactQuery). A later `content` query reads them.
   */
  recordedContent: Record<string, string>;
  packages: Record<string, PackageFact>;
  services: Record<string, ServiceFact>;
  /** API-M node discovery, when asked (`apim-home`). */
  apim?: ApimDiscovery;
  state: StateFacts;
}

/** What a plan needs to know about a host beyond the basics, asked in the same round trip. */
export type FactQuery =
  | { kind: 'file'; path: string }
  /**
   * The bytes of a regular file: never ask for one whose content the controller must not see.
   * `orRecord`: not read when the file hashes to the sha256 its record holds (`note`: and the record
   * has a note), answered in `recordedContent` instead; the `orRecord` queries of one round trip are
   * answered together, all read or none (a certificate is judged with its key). Only the first round
   * trip (basics) reads the records: later ones always read.
   */
  | { kind: 'content'; path: string; orRecord?: 'sha256' | 'note' }
  /**
   * The bytes a diff of a file the plan writes may need, asked ahead with its `file` query: read
   * only when the file is a regular file of at most `maxBytes` that does not hash to `expected`
   * (what the plan expects to write), its record's bytes too (an inventory change); else left
   * unanswered (a later `content` query reads it when the plan needs it after all).
   */
  | { kind: 'diff'; path: string; expected: string; maxBytes: number }
  | { kind: 'package'; name: string }
  | { kind: 'service'; name: string }
  /** The carbon homes of an API-M node: `home` when the inventory gives it, else looked for. */
  | { kind: 'apim-home'; home?: string };

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface FactsOptions {
  queries: readonly FactQuery[];
  stateDir: string;
  /** nginx.conf to read `pid`/`error_log` from (default: the compiled-in conf path). */
  confPath?: string;
  /** nginx binary (default: `nginx` on PATH, then the usual locations). */
  nginxBinary?: string;
  /**
   * On sysv hosts a service's state is its init script's `status` code: run it only when allowed
   * (never in check mode); otherwise the state is reported unknown.
   */
  probeSysvServices: boolean;
  /** Also the basic facts (OS, nginx, the tool's state); false: only the answers (parseAnswers). */
  basics?: boolean;
}

/** One round trip: OS, tools, nginx build and process, the tool's own state, and the queries. */
export function factsScript(opts: FactsOptions): string {
  const queries = opts.queries.map((q) => {
    switch (q.kind) {
      case 'file': {
        // The path again as $STATE/records keeps it (base64): a recorded file the plan asks about
        // is then known without decoding the record (an awk) or stating and hashing it twice.
        const p = assertPath(q.path, 'path');
        return [token(q.kind), path(p), text(p)];
      }
      case 'content': {
        const p = assertPath(q.path, 'path');
        return q.orRecord ? [token(q.kind), path(p), text(p), token(q.orRecord)] : [token(q.kind), path(p)];
      }
      case 'diff': {
        const p = assertPath(q.path, 'path');
        if (!Number.isSafeInteger(q.maxBytes) || q.maxBytes < 0)
          throw new Error(`invalid maxBytes ${q.maxBytes}`);
        const expected = assertValue(q.expected, SHA256_HEX, 'sha256');
        return [token(q.kind), path(p), text(p), token(expected), token(String(q.maxBytes))];
      }
      case 'package':
        return [token(q.kind), token(assertValue(q.name, PACKAGE_NAME, 'package name'))];
      case 'service':
        return [token(q.kind), token(assertValue(q.name, SERVICE_NAME, 'service name'))];
      case 'apim-home':
        return [token(q.kind), text(q.home === undefined ? '' : assertPath(q.home, 'apim_home'))];
    }
  });
  const input = new ScriptInput()
    .set('STATE', assertPath(opts.stateDir, 'stateDir'))
    .set('CONF_OVERRIDE', opts.confPath ? assertPath(opts.confPath, 'confPath') : '')
    .set('NGINX_OVERRIDE', opts.nginxBinary ? assertPath(opts.nginxBinary, 'nginxBinary') : '')
    .set('APIM_PROBE_SYSV', opts.probeSysvServices)
    .set('APIM_BASICS', opts.basics ?? true)
    .rows('APIM_QUERIES', queries);
  return program('facts', 'what the host looks like (reads only)', input);
}

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
    confPath: confArg.startsWith('/') ? confArg : `${prefix.replace(/\/+$/, '')}/${confArg}`,
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

/** The answers to the queries, the part of the facts a later query of the run adds. */
export type FactAnswers = Pick<
  HostFacts,
  'files' | 'contents' | 'recordedContent' | 'packages' | 'services' | 'apim'
>;

function discoveryOf(r: Records): ApimDiscovery | undefined {
  if (!r.has('apim_searched')) return undefined;
  const homes = new Map<string, ApimHomeFact>();
  const home = (b64: string): ApimHomeFact | undefined => homes.get(decodeText(b64));
  for (const value of r.all('apim_home')) {
    const [path = '', owner = '-', version = ''] = value.split(' ');
    const h = decodeText(path);
    homes.set(h, {
      home: h,
      owner,
      versionText: decodeText(version).trim(),
      scripts: [],
      processes: [],
      units: [],
      initScripts: [],
    });
  }
  for (const value of r.all('apim_script')) {
    const [h = '', path = ''] = value.split(' ');
    home(h)?.scripts.push(decodeText(path));
  }
  for (const value of r.all('apim_process')) {
    const [h = '', pid = '', user = '-', keytool = '-', unit = '-'] = value.split(' ');
    home(h)?.processes.push({
      pid: Number(pid),
      user,
      ...(keytool !== '-' && keytool !== '' ? { keytool: decodeText(keytool) } : {}),
      ...(unit !== '-' && unit !== '' ? { unit } : {}),
    });
  }
  for (const value of r.all('apim_unit')) {
    const [h = '', name = '', user = ''] = value.split(' ');
    home(h)?.units.push({ name, user: decodeText(user).trim() });
  }
  for (const value of r.all('apim_init')) {
    const [h = '', name = ''] = value.split(' ');
    home(h)?.initScripts.push(name);
  }
  const keytool = r.text('apim_keytool');
  return {
    searched: r.all('apim_searched').map(decodeText),
    homes: [...homes.values()],
    ...(keytool ? { keytool } : {}),
    tools: r.all('apim_tool'),
  };
}

function finished(stdout: string): Records {
  const r = Records.parse(stdout);
  if (!r.flag('done')) {
    throw new RemoteOutputError(
      `the facts script did not finish: ${r.messages().slice(-5).join(' | ') || 'no output'}`,
      stdout,
    );
  }
  return r;
}

/** The output of a facts program run with `basics: false`. */
export function parseAnswers(stdout: string): FactAnswers {
  return answersOf(finished(stdout));
}

function answersOf(r: Records): FactAnswers {
  const files: Record<string, RemoteFileFact> = {};
  for (const value of r.all('file')) {
    const [path, ...rest] = value.split(' ');
    files[decodeField(path ?? '')] = parseFileFact(rest);
  }
  const contents: Record<string, Buffer | null> = {};
  for (const value of r.all('content')) {
    const [path, content] = value.split(' ');
    contents[decodeField(path ?? '')] = decodeValue(content ?? '');
  }
  for (const value of r.all('missing')) contents[decodeField(value)] = null;
  const recordedContent: Record<string, string> = {};
  for (const value of r.all('content_recorded')) {
    const [path = '', sha = ''] = value.split(' ');
    if (/^[0-9a-f]{64}$/.test(sha)) recordedContent[decodeField(path)] = sha;
  }
  const packages: Record<string, PackageFact> = {};
  for (const value of r.all('package')) {
    const [name = '', installed, version = '', candidate = ''] = value.split(' ');
    const v = decodeText(version);
    const c = decodeText(candidate);
    packages[name] = {
      installed: installed === '1',
      ...(v ? { version: v } : {}),
      ...(c ? { candidate: c } : {}),
    };
  }
  const services: Record<string, ServiceFact> = {};
  for (const value of r.all('service')) {
    const [name = '', active, enabled] = value.split(' ');
    services[name] = {
      active: active === 'active' || active === 'inactive' ? active : 'unknown',
      enabled: enabled === 'enabled' || enabled === 'disabled' ? enabled : 'unknown',
    };
  }
  const apim = discoveryOf(r);
  return { files, contents, recordedContent, packages, services, ...(apim ? { apim } : {}) };
}

export function parseFacts(stdout: string): HostFacts {
  const r = finished(stdout);
  const osText = r.text('os_release') ?? '';
  const pkg = r.get('pkg');
  const svc = r.get('svc');
  const { files, contents, recordedContent, packages, services, apim } = answersOf(r);
  const records: Record<string, string[]> = {};
  const recordedSha: Record<string, string> = {};
  const recordedNote: Record<string, string> = {};
  for (const value of r.all('record')) {
    const [manager = '', path = '', sha = '', note] = value.split(' ');
    if (manager === 'legacy') continue;
    (records[manager] ??= []).push(decodeText(path));
    if (!/^[0-9a-f]{64}$/.test(sha)) continue;
    recordedSha[decodeText(path)] = sha;
    if (note !== undefined && note !== '-') recordedNote[decodeText(path)] = decodeText(note);
  }
  const legacyRecords = [
    ...r.all('legacy_record').map(decodeText),
    ...r
      .all('record')
      .filter((v) => v.startsWith('legacy '))
      .map((v) => decodeText(v.split(' ')[1] ?? '')),
  ];
  const pending = r.get('pending');
  const facts: HostFacts = {
    os: parseOsRelease(osText),
    arch: r.get('arch') ?? 'unknown',
    ipv6: r.get('ipv6') !== '0',
    packageManager: pkg === 'apt' || pkg === 'dnf' || pkg === 'yum' ? pkg : null,
    serviceManager: svc === 'systemd' || svc === 'sysv' ? svc : 'none',
    user: { uid: Number(r.get('uid') ?? -1), name: r.text('user') ?? '' },
    files,
    contents,
    recordedContent,
    packages,
    services,
    ...(apim ? { apim } : {}),
    state: {
      pendingReload: pending !== undefined,
      ...(pending !== undefined && decodeText(pending).trim() !== ''
        ? { pendingReason: decodeText(pending).trim() }
        : {}),
      records,
      recordedSha,
      recordedNote,
      legacyRecords: [...new Set(legacyRecords)],
      legacyFile: r.flag('legacy_file'),
      snapshots: r.all('snapshot'),
    },
  };
  const candidate = /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(r.get('nginx_candidate') ?? '');
  if (candidate?.[1]) facts.nginxCandidateVersion = candidate[1];
  const binary = r.text('nginx_binary');
  if (binary !== undefined) {
    const text = r.text('nginx_v') ?? '';
    const v = parseNginxV(text);
    const master = r.get('nginx_master');
    const identity = r.get('nginx_id');
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
      ...(identity !== undefined && BINARY_IDENTITY.test(identity)
        ? { versionSeen: { identity, text } }
        : {}),
    };
  }
  return facts;
}
