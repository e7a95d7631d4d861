/**
 * An in-memory load balancer for engine tests: files and folders with mode and owner, an
 * installable nginx, packages, services and the tool's own state folder. FakeHostConnection
 * (fake-connection.ts) answers the engine's scripts against it; tests inspect it afterwards.
 */
import { createHash } from 'node:crypto';

export interface FakeFile {
  content: Buffer;
  mode: string;
  owner: string;
  group: string;
}

export interface FakeDirectory {
  mode: string;
  owner: string;
  group: string;
}

export interface FakeNginx {
  version: string;
  running: boolean;
  /** The binary's identity as the facts print it (`nginx_id`): a new file, a new inode. */
  identity: string;
}
let nextInode = 4000;

/** What the fake nginx made live, one entry per committed transaction. */
export interface FakeCommit {
  runId: string;
  files: string[];
  deletes: string[];
  reloaded: boolean;
  started: boolean;
  /** The nginx -V text and binary identity the engine handed over (NGINX_SEEN_V, NGINX_SEEN_ID). */
  nginxSeen: { identity: string; text: string };
}

export function sha256Of(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export class FakeHost {
  readonly files = new Map<string, FakeFile>();
  readonly directories = new Map<string, FakeDirectory>();
  readonly packages = new Set<string>();
  /** Installed version of a package (default 1.0-1). */
  readonly packageVersions = new Map<string, string>();
  /** apt's candidate version of a package (default: the installed one, nothing to upgrade). */
  readonly candidates = new Map<string, string>();
  /** Service name -> running. */
  readonly services = new Map<string, boolean>();
  readonly enabledServices = new Set<string>();
  nginx: FakeNginx | undefined;
  /** apt's candidate for `nginx` (what the install task would bring). */
  candidateVersion: string | undefined = '1.22.1';
  /** The kernel has IPv6 (the facts script's `ipv6` record). */
  ipv6 = true;
  /** Reason recorded in `<state>/pending-reload` by an interrupted run. */
  pendingReload: string | undefined;
  /** `<state>/records`: the files each module manages, and the sha256 of what it wrote there. */
  readonly records = new Map<string, string[]>();
  readonly recordedSha = new Map<string, string>();
  /** The note field recorded with that sha256, as the records file holds it (base64). */
  readonly recordedNote = new Map<string, string>();
  /** Runs when a transaction starts, after the plan was made (to change the host in between). */
  beforeTransaction: (() => void) | undefined;
  /** `<state>/managed-files` of an earlier version (one list, no module), when there is one. */
  legacyManaged: string[] | undefined;
  readonly snapshots = new Map<string, Map<string, FakeFile | undefined>>();
  readonly commits: FakeCommit[] = [];
  /** nginx refuses the new configuration on reload (nginx -t passed): its error text. */
  failReload: string | undefined;
  /** `nginx -t` on a candidate tree: return nginx's error text to refuse it. */
  refuseConfig: ((files: ReadonlyMap<string, FakeFile>) => string | undefined) | undefined;
  /** Login user (uid 1000); commands with become run as root. */
  readonly loginUser = 'vagrant';

  constructor(readonly name: string) {
    for (const d of ['/etc', '/var', '/var/lib', '/var/log'])
      this.directories.set(d, { mode: '0755', owner: 'root', group: 'root' });
  }

  /** A host where `apt-get install nginx` already ran (Debian's layout, master running). */
  static withNginx(name: string, version = '1.22.1'): FakeHost {
    const host = new FakeHost(name);
    host.installNginx(version);
    host.nginx!.running = true;
    host.services.set('nginx', true);
    return host;
  }

  installNginx(version = this.candidateVersion ?? '1.22.1'): void {
    this.nginx = { version, running: false, identity: `2049 ${nextInode++} 1290744 1700000000 1700000000` };
    this.packages.add('nginx');
    for (const d of ['/etc/nginx', '/etc/nginx/conf.d', '/etc/nginx/sites-enabled', '/var/log/nginx'])
      this.directories.set(d, { mode: '0755', owner: 'root', group: 'root' });
    this.putFile('/etc/nginx/nginx.conf', 'events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n');
  }

  putFile(path: string, content: string | Buffer, mode = '0644', owner = 'root', group = 'root'): void {
    this.files.set(path, { content: Buffer.from(content), mode, owner, group });
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.content.toString('utf8');
  }

  /** Records `path` as managed by `manager`, as the module had written it (its current content). */
  record(manager: string, path: string): void {
    this.records.set(manager, [...(this.records.get(manager) ?? []), path]);
    const file = this.files.get(path);
    if (file) this.recordedSha.set(path, sha256Of(file.content));
  }

  /** Path -> sha256, mode and owner of every file: equal before/after means nothing changed. */
  fingerprint(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [p, f] of this.files) out[p] = `${sha256Of(f.content)} ${f.mode} ${f.owner}:${f.group}`;
    for (const [p, d] of this.directories) out[p] = `dir ${d.mode} ${d.owner}:${d.group}`;
    return out;
  }
}
