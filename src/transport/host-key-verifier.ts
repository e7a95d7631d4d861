import type { ServerHostKeyAlgorithm } from 'ssh2';

import { HostKeyError } from './types.js';
import type { ConnectOptions } from './connect-options.js';
import { keyBlobType, keyTypeLabel, sshFingerprint } from './fingerprint.js';
import { checkHostKey, entriesForHost, preferredHostKeyAlgorithms } from './host-key-check.js';
import { expandHome, knownHostsFor, knownHostsName } from './known-hosts.js';
import { appendKnownHost } from './known-hosts-writer.js';

/** The host key side of one SSH connection: what to offer, how to verify, and why it refused. */
export interface HostKeyGuard {
  /** Host key algorithms for ssh2's `algorithms.serverHostKey`, known key types first. */
  algorithms: ServerHostKeyAlgorithm[];
  /** ssh2 `hostVerifier` (raw key blob, asynchronous answer). */
  verify: (keyBlob: Buffer, answer: (ok: boolean) => void) => void;
  /** The reason the key was refused, once `verify` refused it. */
  failure(): HostKeyError | undefined;
}

type KeyPolicy = Pick<ConnectOptions, 'knownHostsFiles' | 'acceptNewHostKeys' | 'onNewHostKey'>;

/** Reads the known_hosts files now, so a key accepted by an earlier connection is seen. */
export async function createHostKeyGuard(
  hostName: string,
  host: string,
  port: number,
  policy: KeyPolicy,
  trace: (message: string) => void = () => undefined,
): Promise<HostKeyGuard> {
  const name = knownHostsName(host, port);
  const entries = await knownHostsFor(policy.knownHostsFiles, name);
  const algorithms = preferredHostKeyAlgorithms(entriesForHost(entries, name).map((entry) => entry.keyType));
  const where = port === 22 ? host : `${host} port ${port}`;
  let failure: HostKeyError | undefined;

  const verify = (keyBlob: Buffer, answer: (ok: boolean) => void): void => {
    const fingerprint = sshFingerprint(keyBlob);
    const refuse = (message: string): void => {
      failure = new HostKeyError(hostName, message, fingerprint);
      answer(false);
    };
    let label: string;
    let verdict: ReturnType<typeof checkHostKey>;
    try {
      label = keyTypeLabel(keyBlobType(keyBlob));
      verdict = checkHostKey(entries, name, keyBlob);
    } catch (error) {
      refuse(`Host ${where} sent a malformed host key: ${(error as Error).message}`);
      return;
    }
    switch (verdict.kind) {
      case 'known':
        trace(`host key ${label} ${fingerprint} matches ${verdict.entry.file}:${verdict.entry.line}`);
        answer(true);
        return;
      case 'revoked':
        refuse(
          `Host key for ${where} (${label} ${fingerprint}) is marked @revoked in ` +
            `${verdict.entry.file}:${verdict.entry.line}; refusing to connect.`,
        );
        return;
      case 'changed':
        refuse(
          changedKeyMessage(
            where,
            name,
            `The ${label} host key of ${where} has changed: it is now ${fingerprint}, ` +
              `but ${verdict.entry.file}:${verdict.entry.line} records a different one.`,
            [verdict.entry.file],
          ),
        );
        return;
      case 'type-changed': {
        const recorded = verdict.entries.map((e) => `${keyTypeLabel(e.keyType)} (${e.file}:${e.line})`);
        refuse(
          changedKeyMessage(
            where,
            name,
            `${where} is known by its host key ${recorded.join(', ')}, but presented only an ` +
              `unrecorded ${label} key ${fingerprint}. A host keeps its keys of every type, and the ` +
              'recorded type was asked for first: the recorded key was replaced.',
            verdict.entries.map((e) => e.file),
          ),
        );
        return;
      }
      case 'unknown':
        if (!policy.acceptNewHostKeys) {
          refuse(unknownKeyMessage(where, host, port, label, fingerprint, policy.knownHostsFiles));
          return;
        }
        appendKnownHost(firstFile(policy.knownHostsFiles), name, keyBlob).then(
          (file) => {
            trace(`host key ${label} ${fingerprint} was not known: recorded in ${file}`);
            policy.onNewHostKey?.({ hostName, host, port, keyType: keyBlobType(keyBlob), fingerprint, file });
            answer(true);
          },
          (error: Error) => refuse(`Could not record the host key of ${where}: ${error.message}`),
        );
        return;
    }
  };

  return { algorithms, verify, failure: () => failure };
}

function firstFile(files: readonly string[]): string {
  const [first] = files;
  if (first === undefined) throw new Error('connect() needs at least one known_hosts file');
  return first;
}

function changedKeyMessage(where: string, name: string, what: string, files: readonly string[]): string {
  return [
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    what,
    'Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host was reinstalled.',
    'Refusing to connect (also with --accept-new-host-keys). If you have verified the new key out of band, remove the old one with:',
    ...[...new Set(files)].map((file) => `  ssh-keygen -R '${name}' -f ${file}`),
  ].join('\n');
}

function unknownKeyMessage(
  where: string,
  host: string,
  port: number,
  label: string,
  fingerprint: string,
  files: readonly string[],
): string {
  const target = files[0] ? expandHome(files[0]) : '~/.ssh/known_hosts';
  return [
    `Host key for ${where} is not known: ${label} key fingerprint is ${fingerprint}.`,
    'Check this fingerprint out of band (for example `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host), then either',
    '  re-run with --accept-new-host-keys, or record it with:',
    `  ssh-keyscan -p ${port} ${host} >> ${target}`,
  ].join('\n');
}
