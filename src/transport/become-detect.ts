import type { Secret } from '../domain/secret.js';
import { BecomeError, type ExecResult } from './types.js';
import { newSudoPrompt, scrubSecret, stripPrompt, sudoCommand } from './sudo-command.js';

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

  const which = await exec('command -v sudo');
  if (which.code !== 0) {
    throw new BecomeError(
      hostName,
      `sudo is not installed on host ${hostName}, so ${loginUser} cannot become ${becomeUser}: ` +
        'install sudo there, or connect as root (ansible_user=root).',
    );
  }

  // Succeeds only under a NOPASSWD rule (see sudoCommand): then no password is ever sent.
  const probe = await exec(sudoCommand('true', becomeUser));
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
