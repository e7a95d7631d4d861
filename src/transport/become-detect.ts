import { randomBytes } from 'node:crypto';

import type { Secret } from '../domain/secret.js';
import { SH_STDIN } from './program-stdin.js';
import { BecomeError, type ExecResult } from './types.js';
import { newSudoPrompt, scrubSecret, shCommand, stripPrompt, sudoCommand } from './sudo-command.js';

/** How become commands are run on a host, found by the first one on a connection. */
export type BecomeMode =
  | { kind: 'direct' }
  | { kind: 'passwordless'; becomeUser: string }
  | { kind: 'password'; becomeUser: string; password: Secret };

export interface BecomeTarget {
  hostName: string;
  loginUser: string;
  becomeUser: string;
  becomePassword?: Secret;
}

const NO_SUDO_CODE = 127;
const NO_SUDO_MARK = 'apim-provision: no sudo';
/**
 * What the first become command's line runs before sudo: a missing sudo is told apart (the login
 * shell's own "not found" differs from shell to shell, csh's exit code too), so this one line keeps
 * an `sh -c`.
 */
export const SUDO_GUARD = `command -v sudo >/dev/null 2>&1 || { echo '${NO_SUDO_MARK}'; exit ${NO_SUDO_CODE}; }; exec `;

/** A line no command prints by accident: printed by the shell sudo started, before the program. */
export function newRanMarker(): string {
  return `apim-provision become ${randomBytes(8).toString('hex')}`;
}

/**
 * The line of the first become command: its program through sudo without a password, if sudo is
 * there. The program goes on stdin behind a marker (sessionFrame), which the shell sudo started
 * prints first, so that a program failing with any exit code and stderr is never taken for sudo
 * refusing, nor the reverse.
 */
export function sudoProbeLine(becomeUser: string): string {
  return shCommand(SUDO_GUARD + sudoCommand(becomeUser));
}

/** Runs one raw command line on the host with this stdin, on a channel of its own (the password check). */
export type RawExec = (line: string, stdin: Buffer, timeoutMs?: number) => Promise<ExecResult>;

/** A become shell on the connection (shell-session.ts): programs run one after another on its stdin. */
export interface BecomeShell {
  /** False once the shell is gone (killed by a timeout, ended by a program): a new one is needed. */
  readonly open: boolean;
  /** `ranMarker` is printed by the shell before the program runs (the become probe's). */
  run(program: string, timeoutMs?: number, ranMarker?: string): Promise<ExecResult>;
}

/** What the connection offers the become logic. */
export interface BecomeHost {
  exec: RawExec;
  /** Starts `line` on a channel whose stdin stays open, `preamble` (the password line) first. */
  openShell(line: string, preamble?: Buffer): Promise<BecomeShell>;
}

/** A program to run as the become user. */
export interface BecomeCommand {
  program: string;
  timeoutMs?: number;
}

/** A shell and the sudo prompt its stderr may hold (password mode). */
interface OpenShell {
  shell: BecomeShell;
  prompt?: string;
}

/**
 * Runs a connection's become commands through one long-lived shell (`sudo ... sh -s`, or `sh -s`
 * when no sudo is needed), so a connection logs in and runs sudo once, not once per program. The
 * first command finds the mode as it runs: with NOPASSWD sudo (or none needed) it costs no extra
 * round trip and its shell is the session's; otherwise the password is checked before the command
 * runs, so a wrong password fails fast with a clear message instead of in the middle of a change,
 * and the session's shell starts with the password line. Commands queue: one runs at a time (the
 * engine sends a host's programs one after another anyway), and those that come while the mode is
 * being found wait for it. A shell that is gone (a timeout killed it) is replaced by the next command.
 */
export class BecomeRunner {
  #mode: Promise<BecomeMode> | undefined;
  #shell: OpenShell | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly target: BecomeTarget,
    private readonly host: BecomeHost,
  ) {}

  run(command: BecomeCommand): Promise<ExecResult> {
    const result = this.#tail.then(() => this.#runNow(command));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async #runNow({ program, timeoutMs }: BecomeCommand): Promise<ExecResult> {
    if (this.#mode === undefined) {
      const first = findMode(this.target, this.host, { program, timeoutMs });
      this.#mode = first.then(({ mode }) => mode);
      // Whoever awaits the mode sees a rejection; the stored copy must not count as unhandled.
      this.#mode.catch(() => undefined);
      const { ran, shell } = await first;
      if (shell) this.#shell = { shell };
      if (ran) return ran;
    }
    const mode = await this.#mode;
    if (!this.#shell?.shell.open) this.#shell = await openShell(mode, this.host);
    const { shell, prompt } = this.#shell;
    const result = await shell.run(program, timeoutMs);
    return prompt === undefined ? result : { ...result, stderr: stripPrompt(result.stderr, prompt) };
  }
}

function openShell(mode: BecomeMode, host: BecomeHost): Promise<OpenShell> {
  if (mode.kind === 'direct') return host.openShell(SH_STDIN).then((shell) => ({ shell }));
  if (mode.kind === 'passwordless')
    return host.openShell(sudoCommand(mode.becomeUser)).then((shell) => ({ shell }));
  const prompt = newSudoPrompt();
  // The password line first: sudo reads it, sh gets the programs that follow.
  const password = Buffer.from(`${mode.password.reveal()}\n`);
  return host.openShell(sudoCommand(mode.becomeUser, prompt), password).then((shell) => ({ shell, prompt }));
}

/** The mode, and the first command's result when sudo already ran it. */
async function findMode(
  target: BecomeTarget,
  host: BecomeHost,
  first: BecomeCommand,
): Promise<{ mode: BecomeMode; ran?: ExecResult; shell?: BecomeShell }> {
  const { hostName, loginUser, becomeUser, becomePassword } = target;
  if (loginUser === becomeUser) return { mode: { kind: 'direct' } };
  const password = becomePassword?.reveal();
  const clean = (text: string, prompt?: string): string =>
    scrubSecret(prompt ? stripPrompt(text, prompt) : text, password).trim();

  // One round trip for three questions: is sudo there, does a NOPASSWD rule let it run (see
  // sudoCommand), and the program's own result; the shell it started is the session's. No password
  // is ever sent unless sudo asks for one; when it does, sudo ran nothing, so the program is sent
  // again after the check.
  const marker = newRanMarker();
  const shell = await host.openShell(sudoProbeLine(becomeUser));
  const probe = await shell.run(first.program, first.timeoutMs, marker);
  const markerAt = probe.stdout.indexOf(`${marker}\n`);
  if (markerAt >= 0) {
    const stdout = probe.stdout.slice(0, markerAt) + probe.stdout.slice(markerAt + marker.length + 1);
    return { mode: { kind: 'passwordless', becomeUser }, ran: { ...probe, stdout }, shell };
  }
  if (probe.code === NO_SUDO_CODE && probe.stdout.includes(NO_SUDO_MARK)) {
    throw new BecomeError(
      hostName,
      `sudo is not installed on host ${hostName}, so ${loginUser} cannot become ${becomeUser}: ` +
        'install sudo there, or connect as root (ansible_user=root).',
    );
  }

  const probeError = clean(probe.stderr);
  if (notPermitted(probeError)) throw notPermittedError(target, probeError);

  if (becomePassword === undefined || password === undefined) {
    throw new BecomeError(
      hostName,
      `sudo on host ${hostName} needs a password for ${loginUser} to become ${becomeUser}: ` +
        'pass -K (--ask-become-pass) or set ansible_become_password.',
    );
  }

  // The password line alone: sudo reads it, and the shell it starts finds no program (exit 0).
  const prompt = newSudoPrompt();
  const check = await host.exec(sudoCommand(becomeUser, prompt), Buffer.from(`${password}\n`));
  if (check.code === 0) return { mode: { kind: 'password', becomeUser, password: becomePassword } };
  const checkError = clean(check.stderr, prompt);
  if (notPermitted(checkError)) throw notPermittedError(target, checkError);
  throw new BecomeError(
    hostName,
    `sudo refused the become password for user ${loginUser} on host ${hostName}: ` +
      'check ansible_become_password / -K' +
      (checkError ? ` (sudo said: ${checkError.replace(/\s+/g, ' ')})` : ''),
  );
}

function notPermitted(stderr: string): boolean {
  return /not in the sudoers file|is not allowed to (run|execute)|may not run sudo/i.test(stderr);
}

function notPermittedError(target: BecomeTarget, stderr: string): BecomeError {
  return new BecomeError(
    target.hostName,
    `${target.loginUser} may not use sudo to become ${target.becomeUser} on host ${target.hostName} ` +
      `(sudo said: ${stderr.replace(/\s+/g, ' ')}): fix the sudoers rules or set ansible_become_user.`,
  );
}
