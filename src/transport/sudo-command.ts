import { randomBytes } from 'node:crypto';

import { SH_STDIN } from './program-stdin.js';
import { shellQuote } from './shell-quote.js';

/** A prompt no command prints by accident, so it can be told apart from the command's stderr. No `%`: sudo expands it. */
export function newSudoPrompt(): string {
  return `[apim-provision sudo ${randomBytes(8).toString('hex')}] password:`;
}

/** `command` as one `sh -c` line, whatever the login shell is. */
export function shCommand(command: string): string {
  return `sh -c ${shellQuote(command)}`;
}

/**
 * The line that runs programs (sent on stdin, program-stdin.ts, session-frame.ts) as `becomeUser`: sudo starts
 * `sh -s` itself, no shell in between. `-k` makes sudo ignore cached credentials: with a password
 * it then always reads the password line from stdin, one byte at a time, leaving the program after
 * it to sh (with cached credentials it would not read it, and sh would take the password for a
 * command); without one, only a real NOPASSWD rule lets it run. Without a prompt, `-n` makes sudo
 * fail rather than read the program as a password. `command`: what sudo runs (a command line).
 */
export function sudoCommand(becomeUser: string, prompt?: string, command = SH_STDIN): string {
  const auth = prompt === undefined ? '-n' : `-S -p ${shellQuote(prompt)}`;
  return `sudo -H -k ${auth} -u ${shellQuote(becomeUser)} -- ${command}`;
}

/** sudo writes its prompt to stderr without a newline; remove it wherever it appears. */
export function stripPrompt(stderr: string, prompt: string): string {
  return stderr.split(prompt).join('');
}

/** Defence in depth: a secret that somehow reached output is replaced by the placeholder. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('********');
}
