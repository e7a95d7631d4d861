import { loadLocalCa, newLocalCa, writeLocalCa } from '../certs/index.js';
import type { LocalCa } from '../modules/contract.js';

/**
 * The local CA of one run: loaded from the controller once, or made once in memory so that every
 * host of the run is signed by the same new CA. Only `persist` writes, and the engine calls it
 * outside check mode when a plan asked for it (so `--check` leaves the pki folder untouched).
 */
export class LocalCaStore {
  #ca: { certPem: string; keyPem: string; onDisk: boolean } | undefined;

  constructor(readonly dir: string) {}

  get(): LocalCa {
    if (!this.#ca) {
      const existing = loadLocalCa(this.dir);
      this.#ca = existing ? { ...existing, onDisk: true } : { ...newLocalCa(), onDisk: false };
    }
    return { certPem: this.#ca.certPem, keyPem: this.#ca.keyPem };
  }

  /** The CA handed out is not on disk yet. */
  get isNew(): boolean {
    return this.#ca !== undefined && !this.#ca.onDisk;
  }

  /** Writes the run's new CA; true when this call wrote it (a CA already on disk is left alone). */
  persist(): boolean {
    const ca = this.#ca;
    if (!ca || ca.onDisk) return false;
    writeLocalCa(this.dir, ca);
    ca.onDisk = true;
    return true;
  }
}
