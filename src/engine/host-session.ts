import type { Host, Inventory, LoadBalancer } from '../domain/types.js';
import type { HostFacts, RemoteFileFact } from '../remote/index.js';
import type { HostConnection } from '../transport/types.js';
import { type DesiredDirectory, type DesiredFile, normaliseMode, sha256 } from './desired-state.js';
import type { RunOptions } from './run-options.js';
import { StagedChanges } from './staged-changes.js';
import { DEFAULT_CONF_PREFIX } from './run-options.js';

/** Everything a task on one host can see: the connection, what the host looks like, and the plan so far. */
export class HostSession {
  readonly staged = new StagedChanges();
  /** Paths the apim_* modules manage on this host: recorded there, stale ones removed. */
  readonly managedPaths = new Set<string>();
  /** A reload is owed: a previous run was interrupted between its swap and its reload. */
  pendingReload: boolean;

  constructor(
    readonly host: Host,
    readonly inventory: Inventory,
    readonly loadBalancer: LoadBalancer | undefined,
    readonly conn: HostConnection,
    public facts: HostFacts,
    readonly options: RunOptions,
  ) {
    this.pendingReload = facts.state.pendingReload;
  }

  get check(): boolean {
    return this.options.check;
  }

  /** The nginx conf folder: from `nginx -V` when installed, else where every package puts it. */
  get confPrefix(): string {
    const confPath = this.facts.nginx?.confPath;
    return confPath ? confPath.replace(/\/[^/]+$/, '') : DEFAULT_CONF_PREFIX;
  }

  fileFact(path: string): RemoteFileFact | undefined {
    return this.facts.files[path];
  }

  /** Records what a staged (or, in check mode, planned) change will leave, for the tasks after it. */
  assumeFile(desired: DesiredFile): void {
    this.facts.files[desired.path] = {
      exists: true,
      type: 'file',
      sha256: sha256(desired.content),
      mode: normaliseMode(desired.mode),
      owner: desired.owner,
      group: desired.group,
      size: desired.content.length,
    };
  }

  assumeDirectory(desired: DesiredDirectory): void {
    this.facts.files[desired.path] = {
      exists: true,
      type: 'directory',
      mode: normaliseMode(desired.mode),
      owner: desired.owner,
      group: desired.group,
      size: 0,
    };
  }

  assumeAbsent(path: string): void {
    this.facts.files[path] = { exists: false };
  }

  /** Whether this host runs commands through sudo. */
  get become(): boolean {
    return this.host.connection.become;
  }
}
