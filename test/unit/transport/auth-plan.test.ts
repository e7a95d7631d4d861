import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AnyAuthMethod, AuthenticationType } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';

import { Secret } from '../../../src/domain/secret.js';
import type { ConnectionSpec } from '../../../src/domain/types.js';
import {
  authFailureMessage,
  AuthSetupError,
  buildAuthPlan,
  isPasswordPrompt,
  type AuthAttempt,
  type AuthPlan,
  type HopRole,
} from '../../../src/transport/auth-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function key(name: string, passphrase = ''): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', file]);
  return file;
}
const plainKey = key('plain');
const encryptedKey = key('encrypted', 'key-pass');
const agentSocket = join(dir, 'agent.sock');
execFileSync('touch', [agentSocket]);

function spec(overrides: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return {
    host: 'h',
    port: 22,
    user: 'deploy',
    become: false,
    becomeUser: 'root',
    jumpHosts: [],
    connectTimeoutMs: 1000,
    ...overrides,
  };
}

/** Drives the handler like ssh2 does: first call with null, then with what the server allows. */
function drive(
  plan: AuthPlan,
  serverMethods: AuthenticationType[],
  role: HopRole = 'target',
): { methods: AnyAuthMethod[]; attempt: AuthAttempt } {
  const attempt: AuthAttempt = { tried: [] };
  const handler = plan.handler('deploy', attempt, role);
  const methods: AnyAuthMethod[] = [];
  let left: AuthenticationType[] | null = null;
  for (;;) {
    let next: AnyAuthMethod | false | undefined;
    handler(left as AuthenticationType[], false, (method) => (next = method as AnyAuthMethod | false));
    if (next === false || next === undefined) return { methods, attempt };
    methods.push(next);
    left = serverMethods;
  }
}

describe('buildAuthPlan', () => {
  it('tries the key file, the agent, then the password (and keyboard-interactive)', async () => {
    const plan = await buildAuthPlan(spec({ privateKeyFile: plainKey, password: new Secret('pw') }), {
      agentSocket,
      defaultKeyFiles: [plainKey],
    });
    expect(plan.methods).toEqual([
      `private key ${plainKey}`,
      `ssh-agent (${agentSocket})`,
      'password (ansible_password)',
      'keyboard-interactive with the password',
    ]);
    const { methods } = drive(plan, ['publickey', 'password', 'keyboard-interactive']);
    expect(methods.map((method) => method.type)).toEqual([
      'publickey',
      'agent',
      'password',
      'keyboard-interactive',
    ]);
    expect(methods.every((method) => method.username === 'deploy')).toBe(true);
  });

  it('skips methods the server does not accept', async () => {
    const plan = await buildAuthPlan(spec({ privateKeyFile: plainKey, password: new Secret('pw') }), {
      agentSocket: '',
    });
    const { methods, attempt } = drive(plan, ['publickey']);
    expect(methods.map((method) => method.type)).toEqual(['publickey']);
    expect(attempt).toEqual({ tried: [`private key ${plainKey}`], serverMethods: ['publickey'] });
  });

  it('uses default keys only when nothing else is configured, skipping encrypted and missing ones', async () => {
    const sources = { agentSocket: '', defaultKeyFiles: [join(dir, 'missing'), encryptedKey, plainKey] };
    expect((await buildAuthPlan(spec(), sources)).methods).toEqual([`default key ${plainKey}`]);
    expect((await buildAuthPlan(spec({ password: new Secret('pw') }), sources)).methods[0]).toBe(
      'password (ansible_password)',
    );
  });

  it('decrypts a key with its passphrase and explains a missing or wrong one', async () => {
    const ok = await buildAuthPlan(
      spec({ privateKeyFile: encryptedKey, privateKeyPassphrase: new Secret('key-pass') }),
      {
        agentSocket: '',
      },
    );
    expect(ok.methods).toEqual([`private key ${encryptedKey}`]);
    await expect(buildAuthPlan(spec({ privateKeyFile: encryptedKey }), { agentSocket: '' })).rejects.toThrow(
      /give its passphrase/,
    );
    const wrong = await buildAuthPlan(
      spec({ privateKeyFile: encryptedKey, privateKeyPassphrase: new Secret('nope-123') }),
      { agentSocket: '' },
    ).catch((error: Error) => error);
    expect(wrong).toBeInstanceOf(AuthSetupError);
    expect((wrong as Error).message).toContain('check its passphrase');
    expect((wrong as Error).message).not.toContain('nope-123');
    await expect(buildAuthPlan(spec({ privateKeyFile: join(dir, 'absent') }), {})).rejects.toThrow(
      /Cannot read private key/,
    );
  });
});

describe('the password goes to its own host, and only to a password prompt', () => {
  const password = 'Target-only-pw-5';

  it('never offers the password or keyboard-interactive to a jump host', async () => {
    const plan = await buildAuthPlan(
      spec({
        privateKeyFile: plainKey,
        password: new Secret(password),
        jumpHosts: [{ host: 'j', port: 22 }],
      }),
      { agentSocket },
    );
    expect(plan.jumpMethods).toEqual([`private key ${plainKey}`, `ssh-agent (${agentSocket})`]);
    const jump = drive(plan, ['publickey', 'password', 'keyboard-interactive'], 'jump');
    expect(jump.methods.map((m) => m.type)).toEqual(['publickey', 'agent']);
    expect(JSON.stringify(jump.methods)).not.toContain(password);
    const target = drive(plan, ['publickey', 'password', 'keyboard-interactive'], 'target');
    expect(target.methods.map((m) => m.type)).toEqual([
      'publickey',
      'agent',
      'password',
      'keyboard-interactive',
    ]);
  });

  it('gives a jump host the default keys when the target logs in with its password', async () => {
    const plan = await buildAuthPlan(
      spec({ password: new Secret(password), jumpHosts: [{ host: 'j', port: 22 }] }),
      {
        agentSocket: '',
        defaultKeyFiles: [plainKey],
      },
    );
    expect(plan.methods).toEqual(['password (ansible_password)', 'keyboard-interactive with the password']);
    expect(plan.jumpMethods).toEqual([`default key ${plainKey}`]);
  });

  it('answers a password prompt once, and nothing else, over keyboard-interactive', async () => {
    const plan = await buildAuthPlan(spec({ password: new Secret(password) }), { agentSocket: '' });
    const { methods, attempt } = drive(plan, ['keyboard-interactive']);
    const kbd = methods.find((m) => m.type === 'keyboard-interactive') as Extract<
      AnyAuthMethod,
      { type: 'keyboard-interactive' }
    >;
    const answers: string[][] = [];
    const ask = (...prompts: { prompt: string; echo?: boolean }[]) =>
      kbd.prompt('', '', '', prompts, (a) => answers.push(a));
    ask({ prompt: 'Verification code: ', echo: false });
    ask({ prompt: 'Your favourite colour: ', echo: true }, { prompt: "deploy@h's password: ", echo: false });
    ask({ prompt: 'Password: ', echo: false });
    expect(answers).toEqual([[''], ['', password], ['']]);
    expect(attempt.unanswered).toEqual(['Verification code:', 'Your favourite colour:', 'Password:']);
    const message = authFailureMessage('h:22', 'deploy', plan, attempt);
    expect(message).toContain('It asked for "Verification code:"');
    expect(message).not.toContain(password);
  });

  it('recognises password prompts, never echoed ones', () => {
    expect(isPasswordPrompt({ prompt: 'Password: ', echo: false })).toBe(true);
    expect(isPasswordPrompt({ prompt: "admin@lb1's password: " })).toBe(true);
    expect(isPasswordPrompt({ prompt: 'Password: ', echo: true })).toBe(false);
    expect(isPasswordPrompt({ prompt: 'One-time password token: ', echo: false })).toBe(true);
    expect(isPasswordPrompt({ prompt: 'Verification code: ', echo: false })).toBe(false);
    expect(isPasswordPrompt({ prompt: 'Enter passphrase for key: ', echo: false })).toBe(false);
  });
});

describe('authFailureMessage', () => {
  it('lists what was tried and what to check, never the password', async () => {
    const plan = await buildAuthPlan(spec({ privateKeyFile: plainKey, password: new Secret('hunter2-x') }), {
      agentSocket: '',
    });
    const { attempt } = drive(plan, ['publickey', 'password']);
    const message = authFailureMessage('h:22', 'deploy', plan, attempt);
    expect(message).toContain(`Tried: private key ${plainKey}, password (ansible_password).`);
    expect(message).toContain('The server accepts: publickey, password.');
    expect(message).toContain('~deploy/.ssh/authorized_keys');
    expect(message).toContain('PasswordAuthentication');
    expect(message).not.toContain('hunter2-x');
  });

  it('says when there is nothing to try', async () => {
    const plan = await buildAuthPlan(spec(), { agentSocket: '', defaultKeyFiles: [] });
    expect(authFailureMessage('h:22', 'deploy', plan, { tried: [] })).toContain('no authentication method');
  });

  it('says that a jump host never gets the password', async () => {
    const plan = await buildAuthPlan(
      spec({ password: new Secret('pw-abc-1'), jumpHosts: [{ host: 'j', port: 22 }] }),
      {
        agentSocket: '',
        defaultKeyFiles: [],
      },
    );
    const message = authFailureMessage('j:22', 'deploy', plan, { tried: [] }, 'jump');
    expect(message).toContain('a jump host: the password is sent to the target host only');
    expect(message).toContain('no authentication method');
  });
});
