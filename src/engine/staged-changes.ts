import type { DesiredDirectory, DesiredFile } from './desired-state.js';
import { sha256 } from './desired-state.js';

/**
 * File changes planned by the tasks of a play and not yet live. They go live together, in one
 * transaction on the host (stage, nginx -t, swap, reload, confirm, or roll back), at the next flush.
 */
export class StagedChanges {
  readonly files = new Map<string, { desired: DesiredFile; expectedSha256: string | null }>();
  readonly directories = new Map<string, DesiredDirectory>();
  readonly deletes = new Map<string, string | null>();
  /** Handlers notified by the tasks whose changes are staged here. */
  readonly notified = new Set<string>();

  addFile(desired: DesiredFile, expectedSha256: string | null): void {
    this.deletes.delete(desired.path);
    this.files.set(desired.path, { desired, expectedSha256 });
  }

  addDirectory(dir: DesiredDirectory): void {
    this.directories.set(dir.path, dir);
  }

  addDelete(path: string, expectedSha256: string | null): void {
    this.files.delete(path);
    this.deletes.set(path, expectedSha256);
  }

  get empty(): boolean {
    return this.files.size === 0 && this.directories.size === 0 && this.deletes.size === 0;
  }

  /** What the host will hold once committed, so later tasks plan against it (check mode too). */
  expectedSha256(path: string): string | undefined {
    const staged = this.files.get(path);
    return staged ? sha256(staged.desired.content) : undefined;
  }

  clear(): void {
    this.files.clear();
    this.directories.clear();
    this.deletes.clear();
    this.notified.clear();
  }
}
