import type { Secret } from '../domain/secret.js';
import { BecomeError, type ExecResult } from './types.js';
import { newSudoPrompt, scrubSecret, shCommand, stripPrompt, sudoCommand } from './sudo-command.js';

/** How become commands are run on a host, found once per connection. */
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

/** The line of the first become check: `true` through sudo without a password, if sudo is there. */
export function sudoProbeLine(becomeUser: string): string {
  return shCommand(
    `command -v sudo >/dev/null 2>&1 || { echo '${NO_SUDO_MARK}'; exit ${NO_SUDO_CODE}; }; exec ${sudoCommand('true', becomeUser)}`,
  );
}

/** Runs one raw command line on the host (already wrapped, not through sudo). */
export type RawExec = (line: string, stdin?: Buffer) => Promise<ExecResult>;

/**
 * Finds out whether sudo needs a password and checks the one given, before any task runs, so a
 * wrong password fails fast with a clear message instead of in the middle of a change.
 */
export async function detectBecome(target: BecomeTarget, exec: RawExec): Promise<BecomeMode> {
  const { hostName, loginUser, becomeUser, becomePassword } = target;
  if (loginUser === becomeUser) return { kind: 'direct' };
  const password = becomePassword?.reveal();
  const clean = (text: string, prompt?: string): string =>
    scrubSecret(prompt ? stripPrompt(text, prompt) : text, password).trim();

  // One round trip for both questions: is sudo there, and does a NOPASSWD rule let it run (see
  // sudoCommand)? Then no password is ever sent. (Two round trips were one sh, one channel and ~4
  // ms of host CPU more per host and run: bench/host-cpu.)
  const probe = await exec(sudoProbeLine(becomeUser));
  if (probe.code === NO_SUDO_CODE && probe.stdout.includes(NO_SUDO_MARK)) {
    throw new BecomeError(
      hostName,
      `sudo is not installed on host ${hostName}, so ${loginUser} cannot become ${becomeUser}: ` +
        'install sudo there, or connect as root (ansible_user=root).',
    );
  }

  if (probe.code === 0) return { kind: 'passwordless', becomeUser };
  const probeError = clean(probe.stderr);
  if (notPermitted(probeError)) throw notPermittedError(target, probeError);

  if (becomePassword === undefined || password === undefined) {
    throw new BecomeError(
      hostName,
      `sudo on host ${hostName} needs a password for ${loginUser} to become ${becomeUser}: ` +
        'pass -K (--ask-become-pass) or set ansible_become_password.',
    );
  }

  const prompt = newSudoPrompt();
  const check = await exec(sudoCommand('true', becomeUser, prompt), Buffer.from(`${password}\n`));
  if (check.code === 0) return { kind: 'password', becomeUser, password: becomePassword };
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
