import { randomBytes } from 'node:crypto';

import type { Secret } from '../domain/secret.js';
import { programStdin, SH_STDIN } from './program-stdin.js';
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
 * there. The program goes on stdin behind a marker (programStdin), which the shell sudo started
 * prints first, so that a program failing with any exit code and stderr is never taken for sudo
 * refusing, nor the reverse.
 */
export function sudoProbeLine(becomeUser: string): string {
  return shCommand(SUDO_GUARD + sudoCommand(becomeUser));
}

/** Runs one raw command line on the host with this stdin (the line already wrapped for sudo). */
export type RawExec = (line: string, stdin: Buffer, timeoutMs?: number) => Promise<ExecResult>;

/** A program to run as the become user. */
export interface BecomeCommand {
  program: string;
  timeoutMs?: number;
}

/**
 * Runs a connection's become commands. The first one finds the mode as it runs: with NOPASSWD
 * sudo (or none needed) it costs no extra round trip; otherwise the password is checked before
 * the command runs, so a wrong password fails fast with a clear message instead of in the middle
 * of a change. Commands that come while the mode is being found wait for it.
 */
export class BecomeRunner {
  #mode: Promise<BecomeMode> | undefined;

  constructor(
    private readonly target: BecomeTarget,
    private readonly exec: RawExec,
  ) {}

  async run(command: BecomeCommand): Promise<ExecResult> {
    if (this.#mode === undefined) {
      const first = findMode(this.target, this.exec, command);
      this.#mode = first.then(({ mode }) => mode);
      // Whoever awaits the mode sees a rejection; the stored copy must not count as unhandled.
      this.#mode.catch(() => undefined);
      const { ran } = await first;
      if (ran) return ran;
    }
    return runAs(await this.#mode, this.exec, command);
  }
}

function runAs(mode: BecomeMode, exec: RawExec, { program, timeoutMs }: BecomeCommand): Promise<ExecResult> {
  const stdin = programStdin(program);
  if (mode.kind === 'direct') return exec(SH_STDIN, stdin, timeoutMs);
  if (mode.kind === 'passwordless') return exec(sudoCommand(mode.becomeUser), stdin, timeoutMs);
  const prompt = newSudoPrompt();
  // The password line first: sudo reads it, sh gets the program that follows.
  const password = Buffer.from(`${mode.password.reveal()}\n`);
  return exec(sudoCommand(mode.becomeUser, prompt), Buffer.concat([password, stdin]), timeoutMs).then(
    (result) => ({ ...result, stderr: stripPrompt(result.stderr, prompt) }),
  );
}

/** The mode, and the first command's result when sudo already ran it. */
async function findMode(
  target: BecomeTarget,
  exec: RawExec,
  first: BecomeCommand,
): Promise<{ mode: BecomeMode; ran?: ExecResult }> {
  const { hostName, loginUser, becomeUser, becomePassword } = target;
  if (loginUser === becomeUser) return { mode: { kind: 'direct' } };
  const password = becomePassword?.reveal();
  const clean = (text: string, prompt?: string): string =>
    scrubSecret(prompt ? stripPrompt(text, prompt) : text, password).trim();

  // One round trip for three questions: is sudo there, does a NOPASSWD rule let it run (see
  // sudoCommand), and the program's own result. No password is ever sent unless sudo asks for one;
  // when it does, sudo ran nothing, so the program is sent again after the check.
  const marker = newRanMarker();
  const probe = await exec(sudoProbeLine(becomeUser), programStdin(first.program, marker), first.timeoutMs);
  const markerAt = probe.stdout.indexOf(`${marker}\n`);
  if (markerAt >= 0) {
    const stdout = probe.stdout.slice(0, markerAt) + probe.stdout.slice(markerAt + marker.length + 1);
    return { mode: { kind: 'passwordless', becomeUser }, ran: { ...probe, stdout } };
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
  const check = await exec(sudoCommand(becomeUser, prompt), Buffer.from(`${password}\n`));
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
