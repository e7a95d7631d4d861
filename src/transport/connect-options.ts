import type { ConnectionSpec } from '../domain/types.js';

/** A host key recorded because the run was allowed to accept new keys. */
export interface NewHostKeyEvent {
  /** Inventory name of the host being connected to (the target, also for its jump hosts). */
  hostName: string;
  /** Address and port the key belongs to (a jump host's, when recorded on the way). */
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** known_hosts file the key was appended to. */
  file: string;
}

export interface ConnectOptions {
  /** known_hosts files to read; new keys are recorded in the first one. */
  knownHostsFiles: string[];
  /** Record unknown host keys instead of refusing them (`--accept-new-host-keys`). Changed keys are always refused. */
  acceptNewHostKeys: boolean;
  /**
   * Extra attempts at connection setup after a network failure, with exponential backoff, for hosts
   * whose inventory does not say (`ansible_ssh_retries`). Default 2.
   */
  retries?: number;
  /**
   * Wait for the SSH handshake of one attempt (TCP connect to authenticated), for hosts whose
   * inventory does not say (`ansible_ssh_timeout`): the CLI's `-T`/ansible.cfg `timeout`. Default 10 s.
   */
  connectTimeoutMs?: number;
  /** Told, step by step, how each host is connected to (-vvv): the plan, attempts, host keys, auth. Never a secret. */
  onTrace?: (event: TraceEvent) => void;
  /** ssh-agent socket (default `SSH_AUTH_SOCK`). */
  agentSocket?: string;
  /** Keys tried when the host has no key file, password or agent (default ~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
  defaultKeyFiles?: string[];
  /** Told about every key recorded in known_hosts, so the run output can say so. */
  onNewHostKey?: (event: NewHostKeyEvent) => void;
  /**
   * Ctrl-C: a connection being set up is dropped and no retry starts. Connections already open
   * are left alone (the change in flight finishes).
   */
  signal?: AbortSignal;
}

/** One line of the connection trace of a host. */
export interface TraceEvent {
  /** Inventory name of the host being connected to. */
  hostName: string;
  message: string;
}

/** The target of a connection: its inventory name and connection settings. */
export interface ConnectTarget {
  name: string;
  connection: ConnectionSpec;
}
