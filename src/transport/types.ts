/** What a command run on a host returned. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run through sudo as the host's become user (`ansible_become`). */
  become?: boolean;
  /** Kill the program after this long (default: no limit). */
  timeoutMs?: number;
}

/** One open connection to one host, reused by every task of a run. */
export interface HostConnection {
  readonly hostName: string;
  /**
   * Runs a shell program: it travels on stdin to `sh -s` (parsed whole before any of it runs),
   * never on a command line, so the secrets a program carries (keys, licences) are on no argv and
   * in no file. Become programs go one after another to the connection's one session shell
   * (session-frame.ts, shell-session.ts), others on a channel each (program-stdin.ts). Never
   * throws for a non-zero exit; throws ConnectionLostError.
   */
  run(program: string, options?: RunOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** Round trips made so far (one per program), for the report and benchmarks. */
  readonly roundTrips: number;
}

/** The host could not be reached or authenticated: reported as `unreachable`. */
export class UnreachableError extends Error {
  constructor(
    readonly hostName: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** Ctrl-C came while the host was being connected to: nothing was done on it. */
export class ConnectAborted extends Error {
  constructor(readonly hostName: string) {
    super('interrupted (Ctrl-C) while connecting: nothing was done on this host');
    this.name = 'ConnectAborted';
  }
}

/** The connection dropped while a command was running. */
export class ConnectionLostError extends Error {
  constructor(
    readonly hostName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** sudo is missing, refuses the user, or the become password is wrong. */
export class BecomeError extends Error {
  constructor(
    readonly hostName: string,
    message: string,
  ) {
    super(message);
    this.name = 'BecomeError';
  }
}

/** The host key is unknown (and not accepted) or has changed. */
export class HostKeyError extends Error {
  constructor(
    readonly hostName: string,
    message: string,
    readonly fingerprint: string,
  ) {
    super(message);
    this.name = 'HostKeyError';
  }
}
