import type { Secret } from '../domain/secret.js';
import { SH_STDIN } from './program-stdin.js';
import type { ReadyResult } from './shell-session.js';
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

/**
 * The line of the first become command: its program through sudo without a password, if sudo is
 * there. The program's frame (sessionFrame) begins with a line the shell sudo started prints
 * before the program, so that a program failing with any exit code and stderr is never taken for
 * sudo refusing, nor the reverse.
 */
export function sudoProbeLine(becomeUser: string): string {
  return shCommand(SUDO_GUARD + sudoCommand(becomeUser));
}

/** What the shell sudo started with the password prints first (password mode): sudo took it. */
export const SUDO_READY = 'apim-provision-sudo-ready';

/**
 * The line of a session shell in password mode: sudo reads the password line, then the shell it
 * started says so before it reads any program, so no program is sent before sudo took the password
 * (sudo would read it as another try after a wrong one).
 */
export function passwordShellLine(becomeUser: string, prompt: string): string {
  return sudoCommand(becomeUser, prompt, shCommand(`echo ${SUDO_READY}; exec ${SH_STDIN}`));
}

/** A program's result in a session; `started`: its begin line came (false: none of it ran). */
export type BecomeResult = ExecResult & { started: boolean };

/** A become shell on the connection (shell-session.ts): programs run one after another on its stdin. */
export interface BecomeShell {
  /** False once the shell is gone (killed by a timeout, ended by a program): a new one is needed. */
  readonly open: boolean;
  run(program: string, timeoutMs?: number): Promise<BecomeResult>;
  /** Waits for the shell's first line (ShellSession.ready). */
  ready(line: string, refused: (stderr: string) => boolean): Promise<ReadyResult>;
}

/** What the connection offers the become logic. */
export interface BecomeHost {
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
 * round trip and its shell is the session's; otherwise the session's shell starts with the
 * password line (sent once) and says whether sudo took it before any program is sent, so a wrong
 * password fails fast with a clear message instead of in the middle of a change. Commands queue:
 * one runs at a time (the engine sends a host's programs one after another anyway), and those that
 * come while the mode is being found wait for it. A shell that is gone (a timeout killed it) is
 * replaced by the next command; one that died while idle ran nothing of the command sent to it
 * (no begin line), which then runs once more on a new one.
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
      if (shell) this.#shell = shell;
      if (ran) return ran;
    }
    const mode = await this.#mode;
    const reused = this.#shell?.shell.open === true;
    if (!reused) this.#shell = await openShell(mode, this.target, this.host);
    let result = await this.#shell!.shell.run(program, timeoutMs);
    if (!result.started && reused) {
      this.#shell = await openShell(mode, this.target, this.host);
      result = await this.#shell.shell.run(program, timeoutMs);
    }
    const { prompt } = this.#shell!;
    return execResult(
      prompt === undefined ? result : { ...result, stderr: stripPrompt(result.stderr, prompt) },
    );
  }
}

function execResult({ code, stdout, stderr }: BecomeResult): ExecResult {
  return { code, stdout, stderr };
}

function openShell(mode: BecomeMode, target: BecomeTarget, host: BecomeHost): Promise<OpenShell> {
  if (mode.kind === 'direct') return host.openShell(SH_STDIN).then((shell) => ({ shell }));
  if (mode.kind === 'passwordless')
    return host.openShell(sudoCommand(mode.becomeUser)).then((shell) => ({ shell }));
  return startWithPassword(target, host, mode.password.reveal());
}

/** Text of sudo's shown in an error: its prompt and the password taken out. */
function clean(text: string, password: string | undefined, prompt?: string): string {
  return scrubSecret(prompt ? stripPrompt(text, prompt) : text, password).trim();
}

/**
 * A session shell through sudo with the password: the password line first, then the shell says
 * it is ready. When sudo asks again (a wrong password), its stdin is ended: it reads no program
 * as another try, and fails.
 */
async function startWithPassword(
  target: BecomeTarget,
  host: BecomeHost,
  password: string,
): Promise<OpenShell> {
  const { hostName, loginUser, becomeUser } = target;
  const prompt = newSudoPrompt();
  const shell = await host.openShell(passwordShellLine(becomeUser, prompt), Buffer.from(`${password}\n`));
  const start = await shell.ready(SUDO_READY, (stderr) => stderr.split(prompt).length > 2);
  if (start.ready) return { shell, prompt };
  const error = clean(start.stderr, password, prompt);
  if (notPermitted(error)) throw notPermittedError(target, error);
  throw new BecomeError(
    hostName,
    `sudo refused the become password for user ${loginUser} on host ${hostName}: ` +
      'check ansible_become_password / -K' +
      (error ? ` (sudo said: ${error.replace(/\s+/g, ' ')})` : ''),
  );
}

/** The mode, and the first command's result when sudo already ran it; the shell, when it lives. */
async function findMode(
  target: BecomeTarget,
  host: BecomeHost,
  first: BecomeCommand,
): Promise<{ mode: BecomeMode; ran?: ExecResult; shell?: OpenShell }> {
  const { hostName, loginUser, becomeUser, becomePassword } = target;
  if (loginUser === becomeUser) return { mode: { kind: 'direct' } };
  const password = becomePassword?.reveal();

  // One round trip for three questions: is sudo there, does a NOPASSWD rule let it run (see
  // sudoCommand), and the program's own result; the shell it started is the session's. No password
  // is ever sent unless sudo asks for one; when it does, sudo ran nothing (no begin line), so the
  // program goes to the session the password starts.
  const shell = await host.openShell(sudoProbeLine(becomeUser));
  const probe = await shell.run(first.program, first.timeoutMs);
  if (probe.started)
    return { mode: { kind: 'passwordless', becomeUser }, ran: execResult(probe), shell: { shell } };
  if (probe.code === NO_SUDO_CODE && probe.stdout.includes(NO_SUDO_MARK)) {
    throw new BecomeError(
      hostName,
      `sudo is not installed on host ${hostName}, so ${loginUser} cannot become ${becomeUser}: ` +
        'install sudo there, or connect as root (ansible_user=root).',
    );
  }

  const probeError = clean(probe.stderr, password);
  if (notPermitted(probeError)) throw notPermittedError(target, probeError);

  if (becomePassword === undefined || password === undefined) {
    throw new BecomeError(
      hostName,
      `sudo on host ${hostName} needs a password for ${loginUser} to become ${becomeUser}: ` +
        'pass -K (--ask-become-pass) or set ansible_become_password.',
    );
  }
  return {
    mode: { kind: 'password', becomeUser, password: becomePassword },
    shell: await startWithPassword(target, host, password),
  };
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
