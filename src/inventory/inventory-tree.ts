import type { Diagnostic } from '../input/diagnostics.js';
import type { KeyPath } from '../input/yaml-source.js';

/** A file variables and groups come from (YAML, INI, the command line), able to locate a key path. */
export interface InputSource {
  file: string;
  /** The file was vault-encrypted: every value in it is a secret. */
  fromVault: boolean;
  diagnostic(path: KeyPath, message: string, fix: string, severity?: Diagnostic['severity']): Diagnostic;
}

/** Where a value was written: the file and the key path inside it. */
export interface Origin {
  source: InputSource;
  path: KeyPath;
}

export interface VarValue {
  value: unknown;
  origin: Origin;
  /** The value is a float (1.0 stays 1.0 when printed as Ansible prints it). */
  float?: boolean;
  /** The value is secret: decrypted from a vault, or read from a vault-encrypted file. */
  secret?: boolean;
}

/** Variables of one scope (a group, a host, a vars file), each with where it was set. */
export type ScopedVars = Map<string, VarValue>;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/** A source that is no file with lines: the command line, the implicit groups. */
export function pseudoSource(file: string): InputSource {
  return {
    file,
    fromVault: false,
    diagnostic: (path, message, fix, severity = 'error') => ({
      file,
      line: 0,
      column: 0,
      key: path.map(String).join('.'),
      message,
      fix,
      severity,
    }),
  };
}
