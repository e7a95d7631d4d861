import { Vault } from 'ansible-vault';
import type { Secret } from '../domain/secret.js';
import type { Diagnostic } from './diagnostics.js';

/** One vault password and the id it was given under (`--vault-id dev@file`; `default` otherwise). */
export interface VaultSecret {
  id: string;
  password: Secret;
  /** Where it came from, for messages: "--vault-password-file ~/.vault", "prompt". */
  source: string;
}

export type Decrypted = { text: string } | { error: string; fix: string };

const HEADER = /^\$ANSIBLE_VAULT;(\d+\.\d+);([A-Z0-9]+)(?:;([^\s;]+))?\s*$/;

/** The vault id named in an envelope's header (1.2 format), if any. */
export function vaultIdOf(envelope: string): string | undefined {
  return HEADER.exec(envelope.split(/\r?\n/, 1)[0]!.trim())?.[3];
}

/**
 * The vault passwords of a run. Decrypts Ansible Vault envelopes (format 1.1 and 1.2 with a vault
 * id, AES256) with the `ansible-vault` library: the password of the envelope's vault id is tried
 * first, then the others (Ansible's default). Each envelope is decrypted once.
 */
export class VaultKeyring {
  readonly #cache = new Map<string, Decrypted>();

  constructor(readonly secrets: readonly VaultSecret[]) {}

  /** A vault-encrypted file's text, or the problem naming the file (for readYamlFile's decryptFile). */
  readonly decryptFile = (text: string, file: string): { text: string } | { diagnostic: Diagnostic } => {
    const r = this.decrypt(text);
    if ('text' in r) return { text: r.text };
    return {
      diagnostic: {
        file,
        line: 0,
        column: 0,
        key: '',
        message: `the file ${r.error}`,
        fix: r.fix,
        severity: 'error',
      },
    };
  };

  decrypt(envelope: string): Decrypted {
    // Whitespace around lines (indented !vault blocks, CRLF) is not part of the envelope.
    const normalised = envelope
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .join('\n');
    const known = this.#cache.get(normalised);
    if (known) return known;
    const result = this.#decrypt(normalised);
    this.#cache.set(normalised, result);
    return result;
  }

  #decrypt(envelope: string): Decrypted {
    const header = HEADER.exec(envelope.split('\n', 1)[0]!);
    if (!header) {
      return {
        error:
          'is not an Ansible Vault envelope (it must start with $ANSIBLE_VAULT;1.1;AES256 or $ANSIBLE_VAULT;1.2;AES256;<id>)',
        fix: 'encrypt it again with ansible-vault',
      };
    }
    if (header[1] !== '1.1' && header[1] !== '1.2')
      return {
        error: `uses vault format ${header[1]}, which is not supported`,
        fix: 'encrypt it again with ansible-vault (format 1.1 or 1.2)',
      };
    if (header[2] !== 'AES256')
      return {
        error: `uses the cipher ${header[2]}, which is not supported`,
        fix: 'encrypt it again with ansible-vault (AES256)',
      };
    const id = header[3];
    if (this.secrets.length === 0) {
      return {
        error: `is vault-encrypted${id ? ` (vault id ${id})` : ''} and no vault password was given`,
        fix: 'give the password with --vault-password-file FILE, --ask-vault-pass or --vault-id [ID@]FILE (or ANSIBLE_VAULT_PASSWORD_FILE)',
      };
    }
    const ordered = [...this.secrets.filter((s) => s.id === id), ...this.secrets.filter((s) => s.id !== id)];
    for (const secret of ordered) {
      try {
        const text = new Vault({ password: secret.password.reveal() }).decryptSync(envelope, undefined);
        if (text !== undefined) return { text };
      } catch {
        // Wrong password (the HMAC does not match) or a damaged envelope: try the next password.
      }
    }
    return {
      error: `cannot be decrypted with the vault password${this.secrets.length > 1 ? 's' : ''} given (${this.secrets.map((s) => s.source).join(', ')})${id ? `; its vault id is ${id}` : ''}`,
      fix: 'give the password it was encrypted with (--vault-id ID@FILE for several passwords)',
    };
  }
}
