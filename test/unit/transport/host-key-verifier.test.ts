import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { NewHostKeyEvent } from '../../../src/transport/connect-options.js';
import { sshFingerprint } from '../../../src/transport/fingerprint.js';
import { createHostKeyGuard, type HostKeyGuard } from '../../../src/transport/host-key-verifier.js';
import { HostKeyError } from '../../../src/transport/types.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-verifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hostKey(name: string, algorithm = 'ed25519'): { line: string; blob: Buffer } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', algorithm, '-N', '', '-f', file]);
  const [type, base64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  return { line: `${type} ${base64}`, blob: Buffer.from(base64!, 'base64') };
}

function verify(guard: HostKeyGuard, blob: Buffer): Promise<boolean> {
  return new Promise((resolve) => guard.verify(blob, resolve));
}

const known = hostKey('known');
const stranger = hostKey('stranger');

describe('createHostKeyGuard', () => {
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `[lb1]:2222 ${known.line}\n`);

  it('accepts the recorded key', async () => {
    const guard = await createHostKeyGuard('lb1', 'lb1', 2222, {
      knownHostsFiles: [file],
      acceptNewHostKeys: false,
    });
    expect(await verify(guard, known.blob)).toBe(true);
    expect(guard.failure()).toBeUndefined();
  });

  it('refuses an unknown key with its fingerprint and both ways to accept it', async () => {
    const guard = await createHostKeyGuard('lb9', 'lb9', 22, {
      knownHostsFiles: [file],
      acceptNewHostKeys: false,
    });
    expect(await verify(guard, stranger.blob)).toBe(false);
    const failure = guard.failure()!;
    expect(failure).toBeInstanceOf(HostKeyError);
    expect(failure.fingerprint).toBe(sshFingerprint(stranger.blob));
    expect(failure.message).toContain(`ED25519 key fingerprint is ${sshFingerprint(stranger.blob)}`);
    expect(failure.message).toContain('--accept-new-host-keys');
    expect(failure.message).toContain(`ssh-keyscan -p 22 lb9 >> ${file}`);
  });

  it('refuses a changed key even when new keys are accepted, and records nothing', async () => {
    const guard = await createHostKeyGuard('lb1', 'lb1', 2222, {
      knownHostsFiles: [file],
      acceptNewHostKeys: true,
    });
    expect(await verify(guard, stranger.blob)).toBe(false);
    expect(guard.failure()!.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(guard.failure()!.message).toContain(`${file}:1`);
    expect(guard.failure()!.message).toContain(`ssh-keygen -R '[lb1]:2222' -f ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(`[lb1]:2222 ${known.line}\n`);
  });

  it('records a new key in the first file and reports it', async () => {
    const first = join(dir, 'first_known_hosts');
    const events: NewHostKeyEvent[] = [];
    const guard = await createHostKeyGuard('lb2', 'lb2.example.com', 22, {
      knownHostsFiles: [first, file],
      acceptNewHostKeys: true,
      onNewHostKey: (event) => events.push(event),
    });
    expect(await verify(guard, stranger.blob)).toBe(true);
    expect(readFileSync(first, 'utf8')).toBe(`lb2.example.com ${stranger.line}\n`);
    expect(events).toEqual([
      {
        hostName: 'lb2',
        host: 'lb2.example.com',
        port: 22,
        keyType: 'ssh-ed25519',
        fingerprint: sshFingerprint(stranger.blob),
        file: first,
      },
    ]);
  });

  it('refuses a known host that presents only a key of another type, even when new keys are accepted', async () => {
    const ecdsa = hostKey('ecdsa', 'ecdsa');
    const events: NewHostKeyEvent[] = [];
    const guard = await createHostKeyGuard('lb1', 'lb1', 2222, {
      knownHostsFiles: [file],
      acceptNewHostKeys: true,
      onNewHostKey: (event) => events.push(event),
    });
    expect(await verify(guard, ecdsa.blob)).toBe(false);
    const failure = guard.failure()!;
    expect(failure).toBeInstanceOf(HostKeyError);
    expect(failure.fingerprint).toBe(sshFingerprint(ecdsa.blob));
    expect(failure.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(failure.message).toContain(`known by its host key ED25519 (${file}:1)`);
    expect(failure.message).toContain(`presented only an unrecorded ECDSA key ${sshFingerprint(ecdsa.blob)}`);
    expect(failure.message).toContain(`ssh-keygen -R '[lb1]:2222' -f ${file}`);
    expect(events).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(`[lb1]:2222 ${known.line}\n`);
  });

  it('refuses keys marked @revoked', async () => {
    const revoked = join(dir, 'revoked_known_hosts');
    writeFileSync(revoked, `@revoked * ${stranger.line}\n`);
    const guard = await createHostKeyGuard('lb3', 'lb3', 22, {
      knownHostsFiles: [revoked],
      acceptNewHostKeys: true,
    });
    expect(await verify(guard, stranger.blob)).toBe(false);
    expect(guard.failure()!.message).toContain('@revoked');
  });
});
