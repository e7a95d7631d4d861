import { connect } from './connect.js';
import type { ConnectOptions, ConnectTarget } from './connect-options.js';
import type { HostConnection } from './types.js';

export type ConnectFunction = (target: ConnectTarget, options: ConnectOptions) => Promise<HostConnection>;

/**
 * One connection per host for a whole run: opened on first use, shared by every task, closed at
 * the end. A host that failed to connect is not retried within the run (it is unreachable).
 */
export class ConnectionPool {
  readonly #connections = new Map<string, Promise<HostConnection>>();

  constructor(
    private readonly options: ConnectOptions,
    private readonly connectFn: ConnectFunction = connect,
  ) {}

  get(target: ConnectTarget): Promise<HostConnection> {
    let connection = this.#connections.get(target.name);
    if (!connection) {
      connection = this.connectFn(target, this.options);
      // Callers see the rejection; the stored copy must not count as unhandled.
      connection.catch(() => undefined);
      this.#connections.set(target.name, connection);
    }
    return connection;
  }

  /** Round trips per host name, for hosts that connected. */
  async roundTrips(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const [name, pending] of this.#connections) {
      const connection = await pending.catch(() => undefined);
      if (connection) counts.set(name, connection.roundTrips);
    }
    return counts;
  }

  /** Closes every open connection; idempotent. */
  async closeAll(): Promise<void> {
    const pending = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(
      pending.map(async (entry) => {
        const connection = await entry.catch(() => undefined);
        await connection?.close();
      }),
    );
  }
}
