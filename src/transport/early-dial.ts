import { connect as tcpConnect, type Socket } from 'node:net';
import type { Hop } from './ssh-hop.js';

/**
 * A host's first TCP connection, opened as its connect starts, before the private key is read and
 * parsed and ssh2's client is loaded (~20 ms of CPU on the first host): the server accepts and
 * sets up its side (sshd starts its session process, sends its banner) meanwhile. Only the first
 * attempt uses it; retries dial as before.
 */
export class EarlyDial {
  #sock: Socket | undefined;

  constructor(hop: Hop) {
    const sock = tcpConnect({ host: hop.host, port: hop.port });
    // As ssh2 sets up a socket of its own. A failure before ssh2 listens stays on the socket
    // (`errored`), for openHop to report as ssh2 would have.
    sock.setMaxListeners(0);
    sock.on('error', () => undefined);
    this.#sock = sock;
  }

  /** The socket, for the first attempt; undefined after. */
  take(): Socket | undefined {
    const sock = this.#sock;
    this.#sock = undefined;
    return sock;
  }

  /** Closes the socket if no attempt took it (the key could not be used, or Ctrl-C came first). */
  dispose(): void {
    this.take()?.destroy();
  }
}
