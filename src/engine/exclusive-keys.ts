/** A held set of keys; `failed`: the holder's work failed, so later holders of these keys stop. */
export interface HeldKeys {
  release(failed: boolean): void;
}

/**
 * Run-wide keys hosts hold while they do something others must not do at the same time (a node
 * restart: one node at a time per role group). Keys are taken in sorted order, so two hosts
 * wanting overlapping sets never wait on each other in a circle. A key whose holder failed stays
 * failed for the rest of the run: the next host to get it is told who failed, and stops.
 */
export class ExclusiveKeys {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #failed = new Map<string, string>();

  async acquire(
    keys: readonly string[],
    holder: string,
  ): Promise<HeldKeys | { failedBy: string; key: string }> {
    const releases: Array<() => void> = [];
    for (const key of [...new Set(keys)].sort()) {
      const before = this.#tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      this.#tails.set(
        key,
        before.then(() => mine),
      );
      releases.push(release);
      await before;
    }
    const releaseAll = () => releases.forEach((r) => r());
    const failed = keys.find((k) => this.#failed.has(k));
    if (failed !== undefined) {
      releaseAll();
      return { failedBy: this.#failed.get(failed)!, key: failed };
    }
    return {
      release: (didFail) => {
        if (didFail) for (const k of keys) this.#failed.set(k, holder);
        releaseAll();
      },
    };
  }
}
