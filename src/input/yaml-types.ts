import type { Diagnostic } from './diagnostics.js';

export type KeyPath = readonly (string | number)[];

/** A parsed YAML file that can say where any key path is, for error messages. */
export interface YamlSource {
  file: string;
  /** The text parsed (decrypted, for a vault-encrypted file). */
  text: string;
  data: unknown;
  /** The file was vault-encrypted: every value in it is a secret. */
  fromVault: boolean;
  /** Key paths (keyPathString) whose key was written as a number, boolean or null, not a string. */
  nonStringKeys: ReadonlySet<string>;
  /** Line/column (1-based) of the key at `path`, or of its nearest existing ancestor. */
  locate(path: KeyPath, onKey?: boolean): { line: number; column: number };
  diagnostic(path: KeyPath, message: string, fix: string, severity?: Diagnostic['severity']): Diagnostic;
}

/** A merge key whose value is neither a mapping nor a list of mappings (both YAML readers say it so). */
export const MERGE_SOURCE_PROBLEM = {
  message: 'a merge key (<<) needs a mapping or a list of mappings',
  fix: 'write <<: *anchor',
} as const;
