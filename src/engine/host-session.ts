import type { ApimNode, Host, Inventory, LoadBalancer } from '../domain/types.js';
import type { DesiredDirectory, DesiredFile } from '../modules/contract.js';
import { DEFAULT_CONF_PREFIX } from '../modules/index.js';
import type { FactQuery, HostFacts, RemoteOp, RemoteFileFact } from '../remote/index.js';
import { ConnectionLostError, type ExecResult, type HostConnection } from '../transport/types.js';
import { normaliseMode, sha256 } from './desired-state.js';
import { ExclusiveKeys } from './exclusive-keys.js';
import { gatherAnswers, gatherFacts } from './gather-facts.js';
import type { LocalCaStore } from './local-ca.js';
import { REMOTE_STATE_DIR, type RunOptions } from './run-options.js';
import { StagedChanges } from './staged-changes.js';

/** What a host is in a play: whose transaction its changes go live in, and where its state is. */
export interface SessionKind {
  /** `apim-node`: the play configures API-M nodes (restart, health wait); else load balancers. */
  transaction: 'nginx' | 'apim-node';
  /** The tool's state folder on the host for this kind (lock, snapshots, pending marker). */
  stateDir: string;
  apimNode?: ApimNode;
  /** The run's keys for work only one host may do at a time (rolling restarts). */
  exclusive: ExclusiveKeys;
}

const LOAD_BALANCER_KIND = (): SessionKind => ({
  transaction: 'nginx',
  stateDir: REMOTE_STATE_DIR,
  exclusive: new ExclusiveKeys(),
});

/** Everything a task on one host can see: the connection, what the host looks like, and the plan so far. */
export class HostSession {
  readonly staged = new StagedChanges();
  /**
   * Files each module that ran this run manages, with the sha256 of what it writes there (the
   * records the next transaction writes).
   */
  readonly manages = new Map<string, Map<string, string | undefined>>();
  /**
   * What the records say about the bytes written at a path this run, with its sha256: a staged
   * certificate's metadata (JSON), so later runs need not parse it again.
   */
  readonly recordNotes = new Map<string, string>();
  /** A reload is owed: a previous run was interrupted between its swap and its reload. */
  pendingReload: boolean;

  constructor(
    readonly host: Host,
    readonly inventory: Inventory,
    readonly loadBalancer: LoadBalancer | undefined,
    readonly conn: HostConnection,
    public facts: HostFacts,
    readonly options: RunOptions,
    readonly localCa: LocalCaStore,
    readonly kind: SessionKind = LOAD_BALANCER_KIND(),
  ) {
    this.pendingReload = facts.state.pendingReload;
  }

  /** The nginx conf folder: from `nginx -V` when installed, else where every package puts it. */
  get confPrefix(): string {
    const confPath = this.facts.nginx?.confPath;
    return confPath ? confPath.replace(/\/[^/]+$/, '') : DEFAULT_CONF_PREFIX;
  }

  /** Whether this host runs commands through sudo. */
  get become(): boolean {
    return this.host.connection.become;
  }

  /**
   * Runs a program that carries on by itself when the connection drops (it ignores the hang-up, a
   * transaction): a lost connection is reported with `onItsOwn`, what the host then does.
   */
  runDetached(program: string, onItsOwn: string): Promise<ExecResult> {
    return this.conn.run(program, { become: this.become }).catch((error: unknown) => {
      if (!(error instanceof ConnectionLostError)) throw error;
      throw new ConnectionLostError(this.host.name, `${error.message}: ${onItsOwn}`);
    });
  }

  get defaultOwner(): string {
    return this.become ? this.host.connection.becomeUser : this.facts.user.name;
  }

  fileFact(path: string): RemoteFileFact | undefined {
    return this.facts.files[path];
  }

  /** Asks the host, in one round trip, whatever of `queries` the facts do not answer yet. */
  async ask(queries: readonly FactQuery[]): Promise<void> {
    const { files, contents, packages, services } = this.facts;
    const unknown = queries.filter((q) => {
      switch (q.kind) {
        case 'apim-home':
          return this.facts.apim === undefined;
        case 'file':
          return files[q.path] === undefined;
        case 'content':
        case 'diff':
          return !(q.path in contents);
        case 'package':
          return packages[q.name] === undefined;
        case 'service':
          return services[q.name] === undefined;
      }
    });
    if (unknown.length === 0) return;
    const answer = await gatherAnswers(this.conn, unknown, this.become, !this.options.check);
    Object.assign(files, answer.files);
    Object.assign(contents, answer.contents);
    Object.assign(packages, answer.packages);
    Object.assign(services, answer.services);
    if (answer.apim) this.facts.apim = answer.apim;
  }

  /** All facts again, for the same paths and contents (after nginx was installed). */
  async refreshFacts(): Promise<void> {
    const queries: FactQuery[] = [
      ...Object.keys(this.facts.files).map((path): FactQuery => ({ kind: 'file', path })),
      ...Object.keys(this.facts.contents).map((path): FactQuery => ({ kind: 'content', path })),
    ];
    this.facts = await gatherFacts(this.conn, queries, this.become, !this.options.check, this.kind.stateDir);
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
    this.facts.contents[desired.path] = desired.content;
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
    this.facts.contents[path] = null;
  }

  /**
   * What the later tasks should see after `ops` ran (or, in check mode, would have): a created or
   * removed path is assumed so; anything the host decides (modes, packages, services) is asked again.
   */
  afterOps(ops: readonly RemoteOp[]): void {
    for (const op of ops) {
      switch (op.op) {
        case 'mkdir':
          this.assumeDirectory({
            path: op.path,
            mode: '0755',
            owner: this.defaultOwner,
            group: this.defaultOwner,
          });
          break;
        case 'touch':
          if (!this.facts.files[op.path]?.exists)
            this.assumeFile({
              path: op.path,
              content: Buffer.alloc(0),
              mode: '0644',
              owner: this.defaultOwner,
              group: this.defaultOwner,
              secret: false,
            });
          break;
        case 'remove':
          this.assumeAbsent(op.path);
          break;
        case 'chmod':
        case 'chown': {
          const fact = this.facts.files[op.path];
          if (fact?.exists) {
            if (op.op === 'chmod') fact.mode = normaliseMode(op.mode);
            else {
              if (op.owner !== undefined) fact.owner = op.owner;
              if (op.group !== undefined) fact.group = op.group;
            }
          }
          break;
        }
        case 'package':
          for (const n of op.names) delete this.facts.packages[n];
          break;
        case 'service':
          delete this.facts.services[op.name];
          break;
        case 'exec':
        case 'shell':
          // A command may have changed anything: what later tasks need is asked again.
          this.facts.files = {};
          this.facts.contents = {};
          this.facts.packages = {};
          this.facts.services = {};
          break;
      }
    }
  }

  /** Files `manager` manages now (and what it writes there); returns what it had recorded on the host. */
  declareManaged(manager: string, files: ReadonlyMap<string, string | undefined>): string[] {
    let managed = this.manages.get(manager);
    if (!managed) {
      managed = new Map();
      this.manages.set(manager, managed);
    }
    for (const [path, sha] of files) managed.set(path, sha);
    return this.facts.state.records[manager] ?? [];
  }

  /** A path some other module records on the host or declared this run: never retired by `manager`. */
  managedByOther(manager: string, path: string): boolean {
    const { records } = this.facts.state;
    return (
      Object.entries(records).some(([m, paths]) => m !== manager && paths.includes(path)) ||
      [...this.manages].some(([m, paths]) => m !== manager && paths.has(path))
    );
  }

  /**
   * The records of the modules that ran differ from what the host holds (so they must be written):
   * also when only a note differs, as in a record an earlier version wrote without one. Such a host
   * would otherwise have its certificate and key read back on every run; a records-only
   * transaction (nothing staged: no file changed, no reload) writes the note once.
   */
  get recordsChanged(): boolean {
    const { records, recordedSha, recordedNote, legacyRecords, legacyFile } = this.facts.state;
    if (this.manages.size === 0) return false;
    if (legacyFile) return true;
    for (const [manager, files] of this.manages) {
      const onHost = new Set(records[manager] ?? []);
      if (onHost.size !== files.size) return true;
      for (const [path, sha] of files) {
        if (!onHost.has(path) || recordedSha[path] !== sha || legacyRecords.includes(path)) return true;
        const note = sha ? this.recordNotes.get(path) : undefined;
        if (note !== undefined && recordedNote[path] !== note) return true;
      }
    }
    return false;
  }
}
