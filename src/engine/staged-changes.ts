import type { DesiredDirectory, DesiredFile, DesiredKeystoreEntry } from '../modules/contract.js';
import type { ExpectedContent } from '../remote/index.js';

/**
 * File changes planned by the tasks of a play and not yet live. They go live together, in one
 * transaction on the host (stage, nginx -t, swap, reload, confirm, or roll back), at the next flush.
 */
export class StagedChanges {
  readonly files = new Map<string, { desired: DesiredFile; expected: ExpectedContent }>();
  readonly directories = new Map<string, DesiredDirectory>();
  /** Retired files, with what the plan saw there. */
  readonly deletes = new Map<string, ExpectedContent>();
  /**
   * Keystore entries (API-M node transactions only), by path and alias, with the keystore's mode,
   * owner and what the plan saw there.
   */
  readonly keystores = new Map<
    string,
    { entry: DesiredKeystoreEntry; expected: ExpectedContent; mode: string; owner: string; group: string }
  >();
  /** Handlers notified by the tasks whose changes are staged here. */
  readonly notified = new Set<string>();

  /** The staged files as both transactions take them: the desired file and what the plan saw. */
  fileSpecs() {
    return [...this.files.values()].map(({ desired, expected }) => ({
      path: desired.path,
      content: desired.content,
      mode: desired.mode,
      owner: desired.owner,
      group: desired.group,
      expected,
    }));
  }

  addFile(desired: DesiredFile, expected: ExpectedContent): void {
    this.deletes.delete(desired.path);
    this.files.set(desired.path, { desired, expected });
  }

  addDirectory(dir: DesiredDirectory): void {
    this.directories.set(dir.path, dir);
  }

  addDelete(path: string, expected: ExpectedContent): void {
    this.files.delete(path);
    this.deletes.set(path, expected);
  }

  addKeystore(
    entry: DesiredKeystoreEntry,
    at: { expected: ExpectedContent; mode: string; owner: string; group: string },
  ): void {
    this.keystores.set(`${entry.path} ${entry.alias}`, { entry, ...at });
  }

  get empty(): boolean {
    return (
      this.files.size === 0 &&
      this.directories.size === 0 &&
      this.deletes.size === 0 &&
      this.keystores.size === 0
    );
  }

  clear(): void {
    this.keystores.clear();
    this.files.clear();
    this.directories.clear();
    this.deletes.clear();
    this.notified.clear();
  }
}
