import type { z } from 'zod';
import type { CertificateMetadata } from '../certs/index.js';
import type { Secret } from '../domain/secret.js';
import type { ApimNode, EditionDecision, Host, Inventory, LoadBalancer } from '../domain/types.js';
import type { SourceLoc } from '../playbook/types.js';
import type { FactQuery, HostFacts, InstallSpec, NodeRestart, RemoteOp } from '../remote/index.js';
import type { Templatable } from './args.js';

/**
 * The module contract. A module is one file: its argument schema (zod, written once for load time
 * and for after rendering), what it needs to know about the host, and its plan: a pure function
 * from the host's facts and its typed arguments to the changes it wants and the actions that make
 * them. The engine owns everything else: rendering and re-validating arguments, gathering facts,
 * check mode (a module never knows whether it runs in it), diffs, staging, the transaction,
 * retiring files, applying actions, reporting. See docs/architecture.md for a worked example.
 */
export interface ModuleSpec<Args> {
  /** The name tasks use; also the manager name in the host's records. */
  name: string;
  /** One line for the modules reference (docs/modules.md). */
  summary: string;
  /** Accepted as `ansible.builtin.<name>` and `ansible.legacy.<name>` too (an Ansible builtin). */
  builtin?: boolean;
  /** Other names for it (`systemd` for `service`); builtin aliases get the FQCN forms as well. */
  aliases?: readonly string[];
  /** The argument schema, as a function of the templatable wrapper (see args.ts). */
  args: (t: Templatable) => z.ZodType<Args>;
  /** Takes a free-form string (`command: ls -l creates=/x`). */
  freeForm?: boolean;
  /** Where a relative `src` is found besides the playbook folder; `template` marks template files. */
  src?: { folder: string; template: boolean };
  /**
   * `staged`: its file changes wait for the next transaction (tasks after it plan against them).
   * `immediate`: it acts on the host at once, so what is staged goes live before it plans.
   */
  runs: 'staged' | 'immediate';
  /** Its outcome cannot be known without running it (command, shell): skipped in check mode. */
  unpredictable?: boolean;
  /**
   * It is the transaction handler: the staged files go live when it runs, and a reload an
   * interrupted run left pending notifies it (nginx_reload).
   */
  activates?: boolean;
  /**
   * Whose transaction it belongs to: `nginx` (a load balancer's: nginx -t, reload) or `apim-node`
   * (an API-M node's: restart, health wait; a play using such a module runs its hosts as API-M
   * nodes, with their own state folder). A module of the other kind fails its task; generic
   * modules (none set) join whichever transaction the play uses.
   */
  transaction?: 'nginx' | 'apim-node';
  /** What it needs to know beyond the basic facts, asked in one round trip before `plan`. */
  needs?(ctx: ModuleContext, args: Args): Needs;
  /** The plan. Pure: it reads the context (and controller-side input files), never writes anything. */
  plan(ctx: ModuleContext, args: Args): Promise<ModulePlan> | ModulePlan;
}

export interface Needs {
  queries?: FactQuery[];
}

/** The local CA on the controller that signs generated certificates. */
export interface LocalCa {
  certPem: string;
  keyPem: string;
}

/** What a module sees of the host and the run. Read only. */
export interface ModuleContext {
  host: Host;
  inventory: Inventory;
  loadBalancer?: LoadBalancer;
  /** The host as an API-M node the inventory configures (group `apim_nodes`). */
  apimNode?: ApimNode;
  /**
   * The host as this task will find it: the basic facts, the answers to the module's queries, and
   * the effects of the earlier tasks of the run (staged, or in check mode planned).
   */
  facts: HostFacts;
  /** The nginx conf folder: from `nginx -V` when installed, else where every package puts it. */
  confPrefix: string;
  /** Owner of files written without one: the become user, or the login user without become. */
  defaultOwner: string;
  /** The task's variables (the `template` module renders its file with them). */
  vars: Record<string, unknown>;
  task: { name: string; loc: SourceLoc };
  /**
   * The local CA (`--pki-dir`): the one on disk, or else the one this run creates, the same for
   * every host. The engine reports and writes a new one (never in check mode).
   */
  localCa(): LocalCa;
}

/** A file as it must be on the host. */
export interface DesiredFile {
  path: string;
  content: Buffer;
  mode: string;
  owner: string;
  group: string;
  /** Private keys, licences: never diffed, never shown. */
  secret: boolean;
  /** Certificates are shown as metadata instead of PEM. */
  certificate?: CertificateMetadata;
  /** Applied to both sides before diffing: hides secret values in the lines a diff shows. */
  diffFilter?: (text: string) => string;
}

/** A managed file left as it is on the host (ModulePlan.kept). */
export interface KeptFile {
  path: string;
  sha256: string;
  certificate?: CertificateMetadata;
}

/** A certificate a keystore on the host must hold under an alias (imported with keytool there). */
export interface DesiredKeystoreEntry {
  path: string;
  alias: string;
  storeType: 'JKS' | 'PKCS12';
  certificatePem: string;
  certificate: CertificateMetadata;
  password: Secret;
  /** keytool on the host. */
  keytool: string;
}

export interface DesiredDirectory {
  path: string;
  mode: string;
  owner: string;
  group: string;
}

/** One change a task made (or, in check mode, would make): report data. */
export interface Change {
  kind: 'file' | 'directory' | 'package' | 'repository' | 'service' | 'command' | 'reload' | 'link';
  action:
    'create' | 'update' | 'delete' | 'install' | 'remove' | 'run' | 'start' | 'stop' | 'reload' | 'restart';
  /** Path, package or service name. */
  target: string;
  /** One line for humans, e.g. `mode 0644 -> 0600`. */
  summary: string;
  /** Unified diff (3 lines of context) for text files; never present for secrets. */
  diff?: string;
  /** Certificate metadata instead of PEM, for certificate files. */
  certificate?: CertificateMetadata;
  /** The content is secret (private keys, licences): no diff, no content anywhere. */
  secret?: boolean;
}

/** What the engine does for a plan outside check mode. */
export type Action =
  /** Into the next transaction (the engine works out and reports what differs, with diffs). */
  | { kind: 'stage-file'; file: DesiredFile }
  | { kind: 'stage-directory'; directory: DesiredDirectory }
  /** Run now, in order, in one round trip. */
  | { kind: 'ops'; ops: RemoteOp[] }
  /** The nginx install program; the facts are gathered again after it. */
  | { kind: 'install'; spec: InstallSpec }
  /** Commit what is staged in one transaction; `reload`: and reload (or start) nginx. */
  | { kind: 'activate'; reload: boolean }
  /** The rollback program: the newest snapshots undone back to this one (default: the newest). */
  | { kind: 'rollback'; snapshotId?: string }
  /** Into the next (API-M node) transaction: the keystore gets the entry, its owner and mode kept. */
  | { kind: 'stage-keystore'; entry: DesiredKeystoreEntry }
  /**
   * Commit what is staged in the API-M node's transaction and restart the node, healthy or put
   * back. `exclusive`: keys no other host of the run holds meanwhile (one node at a time per role
   * group), and a key whose holder failed stops the others before they change anything.
   */
  | { kind: 'restart'; restart: NodeRestart; exclusive: string[] };

export interface ModulePlan {
  /** The changes the module predicts, except those of stage-* actions (the engine computes those). */
  changes: Change[];
  actions: Action[];
  warnings?: string[];
  /** Shown with -v (and for skipped tasks). */
  message?: string;
  /**
   * Every file this module manages on the host now. Files it recorded there before and no longer
   * manages are retired (removed, as a planned and reported change) by the engine; nothing else is
   * ever removed, and files of modules that did not run keep their records.
   */
  manages?: string[];
  /**
   * Managed files left exactly as they are, known by the sha256 the facts found (their bytes were
   * not read: the records vouched for them, HostFacts.recordedContent), with a certificate's
   * metadata. Nothing is staged for them; their records stay as they are.
   */
  kept?: KeptFile[];
  /** The module cannot reach its desired state: the task fails with this, nothing is done. */
  failure?: string;
  /** A load balancer's configuration: the nginx it is written for, for the reports (the graph). */
  nginx?: PlannedNginx;
}

/** The edition, version and file a load balancer's configuration was planned for on its host. */
export interface PlannedNginx {
  decision: EditionDecision;
  version: string;
  /** False when no installed nginx or package candidate told the version (it is assumed). */
  versionKnown: boolean;
  confPath: string;
}

/**
 * A module as the registry keeps it. The engine only ever hands a module the arguments its own
 * schema produced, so forgetting `Args` here is safe.
 */
export type ModuleDefinition = ModuleSpec<unknown>;

/** Declares a module; `Args` is inferred from the schema, so `plan` gets typed arguments. */
export function defineModule<Args>(spec: ModuleSpec<Args>): ModuleDefinition {
  return spec;
}

export function nothingToDo(message?: string): ModulePlan {
  return { changes: [], actions: [], ...(message ? { message } : {}) };
}

export function failure(message: string): ModulePlan {
  return { changes: [], actions: [], failure: message };
}
