import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, ParsedKey } from 'ssh2';

import type { ConnectionSpec } from '../domain/types.js';
import { expandHome } from './known-hosts.js';
import { parsePrivateKey } from './private-key.js';

/** The host itself, or a jump host on the way to it. */
export type HopRole = 'target' | 'jump';

/** One way to log in, built for whichever user a hop logs in as. */
interface AuthStep {
  /** How the step is named in the failure message (never contains a secret). */
  label: string;
  /** The SSH method the server must still accept for the step to be worth trying. */
  serverMethod: AuthenticationType;
  /** Where the step may be tried: a password is the target's, never a jump host's. */
  hops: readonly HopRole[];
  build(username: string, attempt: AuthAttempt): AnyAuthMethod;
}

/** The credentials available for a host (and its jump hosts), in the order they are tried. */
export interface AuthPlan {
  /** Labels of the methods tried on the host, in order; empty when nothing can be tried. */
  readonly methods: readonly string[];
  /** Labels of the methods tried on its jump hosts (keys and the agent, no password). */
  readonly jumpMethods: readonly string[];
  /** A fresh ssh2 `authHandler` for one connection, recording what it tried into `attempt`. */
  handler(username: string, attempt: AuthAttempt, role?: HopRole): AuthHandlerMiddleware;
}

/** What one connection tried; read when authentication failed. */
export interface AuthAttempt {
  tried: string[];
  /** Methods the server said it accepts, once it said so. */
  serverMethods?: string[];
  /** Keyboard-interactive prompts that were not a password prompt, so were answered with nothing. */
  unanswered?: string[];
}

const BOTH: readonly HopRole[] = ['target', 'jump'];
const TARGET: readonly HopRole[] = ['target'];

/** A prompt that asks for the account's password (sshd: "Password:", PAM: "user@host's password:"). */
export function isPasswordPrompt(prompt: { prompt: string; echo?: boolean }): boolean {
  return prompt.echo !== true && /\bpassword\b/i.test(prompt.prompt);
}

export interface AuthSources {
  agentSocket?: string;
  defaultKeyFiles?: string[];
}

/** Thrown when a configured key file cannot be read or decrypted: a setup error, not a network one. */
export class AuthSetupError extends Error {
  override readonly name = 'AuthSetupError';
}

export function defaultKeyFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((file) => join(homedir(), '.ssh', file));
}

/**
 * Order: the configured key file, ssh-agent, the user's default keys (only when nothing else is
 * configured, like ssh), then the password (also answered over keyboard-interactive, which sshd
 * uses for passwords when PAM handles them). The password goes to the target host only, and over
 * keyboard-interactive only in answer to a password prompt, once: a jump host, or a prompt for a
 * one-time code, never sees it.
 */
export async function buildAuthPlan(spec: ConnectionSpec, sources: AuthSources): Promise<AuthPlan> {
  const steps: AuthStep[] = [];
  const passphrase = spec.privateKeyPassphrase?.reveal();

  if (spec.privateKeyFile !== undefined) {
    const file = expandHome(spec.privateKeyFile);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      throw new AuthSetupError(
        `Cannot read private key ${file} (ansible_ssh_private_key_file): ${(error as Error).message}`,
      );
    }
    const parsed = parsePrivateKey(data, passphrase);
    if (parsed instanceof Error) {
      const hint =
        passphrase === undefined ? 'if it is encrypted, give its passphrase' : 'check its passphrase';
      throw new AuthSetupError(`Cannot use private key ${file}: ${parsed.message} (${hint})`);
    }
    steps.push(keyStep(`private key ${file}`, parsed, BOTH));
  }

  const agentSocket = sources.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (agentSocket && existsSync(agentSocket)) {
    steps.push({
      label: `ssh-agent (${agentSocket})`,
      serverMethod: 'publickey',
      hops: BOTH,
      build: (username) => ({ type: 'agent', username, agent: agentSocket }),
    });
  }

  // Like ssh: the default keys when nothing else is configured for a hop (a jump host gets no
  // password, so it may need them while its target logs in with one).
  const password = spec.password;
  const defaultsFor: HopRole[] =
    steps.length > 0
      ? []
      : password === undefined
        ? ['target', 'jump']
        : spec.jumpHosts.length > 0
          ? ['jump']
          : [];
  if (defaultsFor.length > 0) {
    for (const file of sources.defaultKeyFiles ?? defaultKeyFiles()) {
      const data = await readFile(expandHome(file)).catch(() => undefined);
      // Encrypted default keys without a passphrase are skipped, as ssh does in batch mode.
      const parsed = data === undefined ? undefined : parsePrivateKey(data, passphrase);
      if (parsed === undefined || parsed instanceof Error) continue;
      steps.push(keyStep(`default key ${file}`, parsed, defaultsFor));
    }
  }

  if (password !== undefined) {
    steps.push({
      label: 'password (ansible_password)',
      serverMethod: 'password',
      hops: TARGET,
      build: (username) => ({ type: 'password', username, password: password.reveal() }),
    });
    steps.push({
      label: 'keyboard-interactive with the password',
      serverMethod: 'keyboard-interactive',
      hops: TARGET,
      build: (username, attempt) => {
        let sent = false;
        return {
          type: 'keyboard-interactive',
          username,
          prompt: (_name, _instructions, _lang, prompts, finish) =>
            finish(
              prompts.map((p) => {
                if (!sent && isPasswordPrompt(p)) {
                  sent = true;
                  return password.reveal();
                }
                (attempt.unanswered ??= []).push(p.prompt.trim());
                return '';
              }),
            ),
        };
      },
    });
  }

  const labels = (role: HopRole) => steps.filter((s) => s.hops.includes(role)).map((s) => s.label);
  return {
    methods: labels('target'),
    jumpMethods: labels('jump'),
    handler(username, attempt, role = 'target') {
      const mine = steps.filter((s) => s.hops.includes(role));
      let next = 0;
      return (methodsLeft, _partialSuccess, callback) => {
        if (methodsLeft) attempt.serverMethods = [...methodsLeft];
        while (next < mine.length) {
          const step = mine[next++]!;
          if (methodsLeft && !methodsLeft.includes(step.serverMethod)) continue;
          attempt.tried.push(step.label);
          callback(step.build(username, attempt));
          return;
        }
        callback(false as unknown as AnyAuthMethod);
      };
    },
  };
}

function keyStep(label: string, key: ParsedKey, hops: readonly HopRole[]): AuthStep {
  return {
    label,
    serverMethod: 'publickey',
    hops,
    build: (username) => ({ type: 'publickey', username, key }),
  };
}

/** The failure message: which methods were tried and what to check. Never contains a secret. */
export function authFailureMessage(
  where: string,
  username: string,
  plan: AuthPlan,
  attempt: AuthAttempt,
  role: HopRole = 'target',
): string {
  const methods = role === 'target' ? plan.methods : plan.jumpMethods;
  const jumpNote = role === 'jump' ? ' (a jump host: the password is sent to the target host only)' : '';
  if (methods.length === 0) {
    return (
      `Cannot log in to ${where} as ${username}${jumpNote}: no authentication method is available. ` +
      (role === 'jump'
        ? 'Load a key for the jump host into ssh-agent (SSH_AUTH_SOCK), or set ansible_ssh_private_key_file to a key it accepts.'
        : 'Set ansible_ssh_private_key_file or ansible_password, or load a key into ssh-agent (SSH_AUTH_SOCK).')
    );
  }
  const tried = attempt.tried.length ? attempt.tried.join(', ') : 'nothing the server accepts';
  const server = attempt.serverMethods ? ` The server accepts: ${attempt.serverMethods.join(', ')}.` : '';
  const unanswered = attempt.unanswered?.length
    ? ` It asked for ${attempt.unanswered.map((p) => `"${p}"`).join(', ')}, which apim-provision does not answer (only password prompts).`
    : '';
  const checks: string[] = [];
  if (attempt.tried.some((label) => !label.startsWith('password') && !label.startsWith('keyboard'))) {
    checks.push(`that the public key is in ~${username}/.ssh/authorized_keys on the host`);
  }
  if (methods.some((label) => label.startsWith('password'))) {
    checks.push('ansible_password, and that the server allows PasswordAuthentication');
  }
  checks.push(`that ${username} is the right ${role === 'jump' ? 'user for the jump host' : 'ansible_user'}`);
  return `Authentication failed for ${username}@${where}${jumpNote}. Tried: ${tried}.${server}${unanswered} Check ${checks.join('; ')}.`;
}
