/** Inventories, playbooks, run options, a recording observer and sessions for engine tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../../../../src/domain/types.js';
import { gatherFacts } from '../../../../src/engine/gather-facts.js';
import { HostSession } from '../../../../src/engine/host-session.js';
import { LocalCaStore } from '../../../../src/engine/local-ca.js';
import { apimQueries, MODULE_CATALOG } from '../../../../src/modules/index.js';
import type { RunOptions } from '../../../../src/engine/run-options.js';
import { runPlayOnHost } from '../../../../src/engine/run-play-on-host.js';
import type {
  Change,
  HostResult,
  RunObserver,
  RunSummary,
  TaskResult,
} from '../../../../src/engine/types.js';
import { loadInventory } from '../../../../src/inventory/load-inventory.js';
import {
  defaultPlaybookPath,
  loadPlaybook,
  type Play,
  type Playbook,
} from '../../../../src/playbook/index.js';
import type { HostConnection } from '../../../../src/transport/types.js';
import { writeTree } from '../../inventory/helpers.js';
import { FakeHostConnection } from './fake-connection.js';
import type { FakeHost } from './fake-host.js';

/**
 * A single-node inventory with the given load balancers (all `become`, ECDSA keys so generating
 * certificates is fast), plus extra YAML lines under `loadbalancers.vars`.
 */
export function inventoryYaml(lbs: string[] = ['lb1'], extraVars: Record<string, unknown> = {}): string {
  const hosts = lbs.map((n, i) => `        ${n}:\n          ansible_host: 127.0.0.${i + 2}\n`).join('');
  const vars = Object.entries({ tls_key_type: 'ecdsa', ...extraVars })
    .map(([k, v]) => `        ${k}: ${JSON.stringify(v)}\n`)
    .join('');
  return (
    `all:\n  vars:\n    ansible_user: vagrant\n    ansible_become: true\n    apim_version: '4.x'\n` +
    `    apim_pattern: single-node\n  children:\n    loadbalancers:\n      hosts:\n${hosts}` +
    `      vars:\n${vars}    apim_all_in_one:\n      hosts:\n        apim1:\n          apim_address: 192.0.2.10\n`
  );
}

export function loadTestInventory(yaml: string, env: NodeJS.ProcessEnv = {}): Inventory {
  const dir = writeTree({ 'inventory.yml': yaml });
  const { inventory, diagnostics } = loadInventory(join(dir, 'inventory.yml'), {
    env: { HOME: dir, ...env },
  });
  if (!inventory) throw new Error(`test inventory invalid: ${diagnostics.map((d) => d.message).join('; ')}`);
  return inventory;
}

function loaded(file: string): Playbook {
  const { playbook, diagnostics } = loadPlaybook(file, MODULE_CATALOG);
  if (!playbook) throw new Error(`test playbook invalid: ${diagnostics.map((d) => d.message).join('; ')}`);
  return playbook;
}

/** The built-in WSO2 playbook (playbooks/site.yml). */
export function sitePlaybook(): Playbook {
  return loaded(defaultPlaybookPath());
}

/** A playbook written (with files next to it) into a temp folder. */
export function playbookFrom(yaml: string, files: Record<string, string> = {}): Playbook {
  const dir = writeTree({ 'site.yml': yaml, ...files });
  return loaded(join(dir, 'site.yml'));
}

export function firstPlay(playbook: Playbook): Play {
  const play = playbook.plays[0];
  if (!play) throw new Error('playbook without plays');
  return play;
}

export function runOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    check: false,
    diff: false,
    forks: 5,
    knownHostsFiles: [],
    acceptNewHostKeys: false,
    pkiDir: join(mkdtempSync(join(tmpdir(), 'apim-pki-')), 'pki'),
    snapshotsToKeep: 5,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Keeps every event the engine emits. */
export class RecordingObserver implements RunObserver {
  readonly started: string[] = [];
  readonly tasks: { host: string; result: TaskResult }[] = [];
  readonly hosts: HostResult[] = [];
  readonly warnings: { message: string; host?: string }[] = [];
  summary: RunSummary | undefined;

  runStarted(hosts: string[]): void {
    this.started.push(...hosts);
  }
  hostStarted(): void {}
  taskStarted(): void {}
  taskFinished(host: string, result: TaskResult): void {
    this.tasks.push({ host, result });
  }
  hostFinished(result: HostResult): void {
    this.hosts.push(result);
  }
  warning(message: string, host?: string): void {
    this.warnings.push({ message, ...(host ? { host } : {}) });
  }
  runFinished(summary: RunSummary): void {
    this.summary = summary;
  }
}

/** A session on one inventory host, with facts gathered through the connection (one round trip). */
export async function openSession(
  inventory: Inventory,
  hostName: string,
  conn: HostConnection,
  options: RunOptions,
): Promise<HostSession> {
  const host = inventory.hosts.get(hostName);
  if (!host) throw new Error(`no host ${hostName}`);
  const lb = inventory.loadBalancers.find((l) => l.host.name === hostName);
  const queries = lb ? apimQueries(lb, { diff: options.diff }) : [];
  const facts = await gatherFacts(conn, queries, host.connection.become, !options.check);
  return new HostSession(host, inventory, lb, conn, facts, options, new LocalCaStore(options.pkiDir));
}

/** Runs the first play of `playbook` on an in-memory host, through a fresh session (one facts round trip). */
export async function runOnHost(
  host: FakeHost,
  playbook: Playbook,
  options: Partial<RunOptions> = {},
  inventory: Inventory = loadTestInventory(inventoryYaml()),
  hostName = 'lb1',
) {
  const conn = new FakeHostConnection(host);
  const session = await openSession(inventory, hostName, conn, runOptions(options));
  const observer = new RecordingObserver();
  const result = await runPlayOnHost(firstPlay(playbook), session, observer);
  return { ...result, conn, observer };
}

export const changesOf = (tasks: TaskResult[]): Change[] => tasks.flatMap((t) => t.changes);
