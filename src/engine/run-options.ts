import type { RunSummary } from './types.js';
/** Options of one `apply` run, as the CLI parsed them. */
export interface RunOptions {
  check: boolean;
  diff: boolean;
  /** Hosts worked on at once. */
  forks: number;
  /** Batch size (`N` or `N%`): a batch finishes before the next starts. */
  serial?: number | string;
  maxFailPercentage?: number;
  /** `--limit` patterns. */
  limit?: string[];
  /** `--tags` / `--skip-tags`. */
  tags?: string[];
  skipTags?: string[];
  knownHostsFiles: string[];
  acceptNewHostKeys: boolean;
  /** From `-K`: overrides every host's become password. */
  becomePassword?: import('../domain/secret.js').Secret;
  /** Where the generated local CA lives (defaults next to the inventory). */
  pkiDir: string;
  /** Snapshots kept on each host for rollback. */
  snapshotsToKeep: number;
  /** Set by Ctrl-C: no new change starts once it is true. */
  signal: AbortSignal;
  /** Given, once the run starts, a way to read where it stands (a second Ctrl-C reports it). */
  onProgress?: (summarySoFar: () => RunSummary) => void;
}

/** Where the tool keeps its state on a host: outside any nginx include glob. */
export const REMOTE_STATE_DIR = '/var/lib/apim-provision';
