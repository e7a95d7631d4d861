import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import ssh2, {
  type AnyAuthMethod,
  type AuthHandlerMiddleware,
  type AuthenticationType,
  type ParsedKey,
} from 'ssh2';

import type { ConnectionSpec } from '../domain/types.js';
import { expandHome } from './known-hosts.js';

/** One way to log in, built for whichever user a hop logs in as. */
interface AuthStep {
  /** How the step is named in the failure message (never contains a secret). */
  label: string;
  /** The SSH method the server must still accept for the step to be worth trying. */
  serverMethod: AuthenticationType;
  build(username: string): AnyAuthMethod;
}

/** The credentials available for a host (and its jump hosts), in the order they are tried. */
export interface AuthPlan {
  /** Labels of every method, in order; empty when nothing can be tried. */
  readonly methods: readonly string[];
  /** A fresh ssh2 `authHandler` for one connection, recording what it tried into `attempt`. */
  handler(username: string, attempt: AuthAttempt): AuthHandlerMiddleware;
}

/** What one connection tried; read when authentication failed. */
export interface AuthAttempt {
  tried: string[];
  /** Methods the server said it accepts, once it said so. */
  serverMethods?: string[];
}

export interface AuthSources {
  agentSocket?: string;
  defaultKeyFiles?: string[];
}

/** Thrown when a configured key file cannot be read or decrypted: a setup error, not a network one. */
export class AuthSetupError extends Error {
  override readonly name = 'AuthSetupError';
}

// ssh2 is CommonJS: Node's ESM loader only exposes its default export.
const { utils } = ssh2;

export function defaultKeyFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((file) => join(homedir(), '.ssh', file));
}

/**
 * Order: the configured key file, ssh-agent, the user's default keys (only when nothing else is
 * configured, like ssh), then the password (also answered over keyboard-interactive, which sshd
 * uses for passwords when PAM handles them).
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
    steps.push(keyStep(`private key ${file}`, parsed));
  }

  const agentSocket = sources.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (agentSocket && existsSync(agentSocket)) {
    steps.push({
      label: `ssh-agent (${agentSocket})`,
      serverMethod: 'publickey',
      build: (username) => ({ type: 'agent', username, agent: agentSocket }),
    });
  }

  if (steps.length === 0 && spec.password === undefined) {
    for (const file of sources.defaultKeyFiles ?? defaultKeyFiles()) {
      const data = await readFile(expandHome(file)).catch(() => undefined);
      // Encrypted default keys without a passphrase are skipped, as ssh does in batch mode.
      const parsed = data === undefined ? undefined : parsePrivateKey(data, passphrase);
      if (parsed === undefined || parsed instanceof Error) continue;
      steps.push(keyStep(`default key ${file}`, parsed));
    }
  }

  const password = spec.password;
  if (password !== undefined) {
    steps.push({
      label: 'password (ansible_password)',
      serverMethod: 'password',
      build: (username) => ({ type: 'password', username, password: password.reveal() }),
    });
    steps.push({
      label: 'keyboard-interactive with the password',
      serverMethod: 'keyboard-interactive',
      build: (username) => ({
        type: 'keyboard-interactive',
        username,
        prompt: (_name, _instructions, _lang, prompts, finish) =>
          finish(prompts.map(() => password.reveal())),
      }),
    });
  }

  return {
    methods: steps.map((step) => step.label),
    handler(username, attempt) {
      let next = 0;
      return (methodsLeft, _partialSuccess, callback) => {
        if (methodsLeft) attempt.serverMethods = [...methodsLeft];
        while (next < steps.length) {
          const step = steps[next++]!;
          if (methodsLeft && !methodsLeft.includes(step.serverMethod)) continue;
          attempt.tried.push(step.label);
          callback(step.build(username));
          return;
        }
        callback(false as unknown as AnyAuthMethod);
      };
    },
  };
}

/**
 * Decrypts once, up front: a bad passphrase is reported before connecting, the (slow, bcrypt)
 * key derivation is not repeated per hop, and the passphrase is not kept around.
 */
function parsePrivateKey(data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  const parsed = utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
  if (parsed instanceof Error) return parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) return new Error('the file holds no private key');
  return key;
}

function keyStep(label: string, key: ParsedKey): AuthStep {
  return { label, serverMethod: 'publickey', build: (username) => ({ type: 'publickey', username, key }) };
}

/** The failure message: which methods were tried and what to check. Never contains a secret. */
export function authFailureMessage(
  where: string,
  username: string,
  plan: AuthPlan,
  attempt: AuthAttempt,
): string {
  if (plan.methods.length === 0) {
    return (
      `Cannot log in to ${where} as ${username}: no authentication method is available. ` +
      'Set ansible_ssh_private_key_file or ansible_password, or load a key into ssh-agent (SSH_AUTH_SOCK).'
    );
  }
  const tried = attempt.tried.length ? attempt.tried.join(', ') : 'nothing the server accepts';
  const server = attempt.serverMethods ? ` The server accepts: ${attempt.serverMethods.join(', ')}.` : '';
  const checks: string[] = [];
  if (attempt.tried.some((label) => !label.startsWith('password') && !label.startsWith('keyboard'))) {
    checks.push(`that the public key is in ~${username}/.ssh/authorized_keys on the host`);
  }
  if (plan.methods.some((label) => label.startsWith('password'))) {
    checks.push('ansible_password, and that the server allows PasswordAuthentication');
  }
  checks.push(`that ${username} is the right ansible_user`);
  return `Authentication failed for ${username}@${where}. Tried: ${tried}.${server} Check ${checks.join('; ')}.`;
}
