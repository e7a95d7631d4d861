import { readInputFile } from '../input/read-input-file.js';
import type { Diagnostic } from '../input/diagnostics.js';
import { Secret } from '../domain/secret.js';
import { UnsafeText, VaultedText } from '../domain/tagged-values.js';
import type { DiagnosticBag } from './diagnostic-bag.js';
import {
  describeType,
  isPlainObject,
  type Origin,
  type ScopedVars,
  type VarValue,
} from './inventory-tree.js';
import { resolveInventoryPath, unreadableReason } from './local-file.js';
import { isSecretVar, VAR_SPELLINGS } from './vars-schema.js';

/**
 * What a command does with secrets read from `{ env: NAME }` / `{ file: PATH }`: `required` (apply,
 * rollback: unset is an error), `warn` (validate: unset is a warning, apply would refuse),
 * `ignore` (render, certs create use none: left unread).
 */
export type SecretsMode = 'required' | 'warn' | 'ignore';

/** A value after templating and decryption, or the problem that stopped it. */
export type Resolution = { value: VarValue } | { problem: Diagnostic };

export interface ReaderContext {
  hostName: string;
  /** Where the host is first listed: the place to report a missing variable. */
  hostOrigin: Origin;
  /** Relative paths in the host's variables start here (the folder of the inventory listing it). */
  inventoryDir: string;
  env: NodeJS.ProcessEnv;
  home: string;
  secrets: SecretsMode;
  /** Renders a templated value with the variables Ansible offers at that point (once, when first read). */
  resolve(name: string, v: VarValue): Resolution;
}

const TRUE_WORDS = ['true', 'yes', 'on', 'y', 't', '1'];
const FALSE_WORDS = ['false', 'no', 'off', 'n', 'f', '0'];

/** A boolean as Ansible's boolean() reads it: yes/no/on/off/y/n/1/0 strings too; undefined if none. */
function asBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  const w = value.trim().toLowerCase();
  if (TRUE_WORDS.includes(w)) return true;
  if (FALSE_WORDS.includes(w)) return false;
  return undefined;
}

/** True when a value needs rendering or unwrapping before the typed readers see it. */
export function needsResolving(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{') || value.includes('{%') || value.includes('{#');
  if (value instanceof UnsafeText || value instanceof VaultedText) return true;
  if (Array.isArray(value)) return value.some(needsResolving);
  if (isPlainObject(value)) return Object.values(value).some(needsResolving);
  return false;
}

/**
 * Typed access to one host's merged variables. Every problem becomes a diagnostic located where the
 * offending value was written; the accessor then returns the default (or undefined) so that checking
 * can go on and report everything at once.
 */
export class VarReader {
  constructor(
    readonly vars: ScopedVars,
    readonly bag: DiagnosticBag,
    readonly ctx: ReaderContext,
  ) {}

  /**
   * The variable ready to use: of Ansible's spellings of it, the last one set (`ansible_ssh_host`
   * beats `ansible_host`); templates rendered, `!unsafe` text kept as written, vault values
   * decrypted (and marked secret). A value that cannot be resolved is reported and read as unset.
   */
  get(name: string): VarValue | undefined {
    const raw = this.raw(name);
    if (!raw) return undefined;
    if (!needsResolving(raw.value)) return raw;
    const r = this.ctx.resolve(this.spellingOf(name), raw);
    if ('problem' in r) {
      this.bag.push(r.problem);
      return undefined;
    }
    return r.value;
  }

  /** The variable as written (of its spellings, the one Ansible uses), before templating. */
  raw(name: string): VarValue | undefined {
    return this.vars.get(this.spellingOf(name));
  }

  /** Which spelling of a setting is used: the last of Ansible's list that is set and not null. */
  spellingOf(name: string): string {
    const spellings = VAR_SPELLINGS[name];
    if (!spellings) return name;
    let chosen = name;
    for (const s of spellings) {
      const v = this.vars.get(s);
      if (v !== undefined && v.value !== null) chosen = s;
    }
    return chosen;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /** A diagnostic at the variable's definition (or at the host when it is not set). */
  at(name: string, message: string, fix: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
    const v = this.raw(name);
    const origin = v?.origin ?? this.ctx.hostOrigin;
    return origin.source.diagnostic(origin.path, message, fix, severity);
  }

  /** A diagnostic at the place the host is first listed. */
  atHost(message: string, fix: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
    const { source, path } = this.ctx.hostOrigin;
    return source.diagnostic(path, message, fix, severity);
  }

  report(name: string, message: string, fix: string, severity: Diagnostic['severity'] = 'error'): void {
    this.bag.push(this.at(name, message, fix, severity));
  }

  /** The value as shown in messages; secret values are never shown. */
  show(name: string, value: unknown): string {
    if (isSecretVar(name) || this.raw(name)?.secret) return describeType(value);
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }

  private wrongType(name: string, expected: string, value: unknown, fix: string): void {
    this.report(name, `${name} must be ${expected}, got ${this.show(name, value)}`, fix);
  }

  string(name: string): string | undefined {
    const v = this.get(name);
    if (v === undefined || v.value === null) return undefined;
    if (typeof v.value === 'string') return v.value;
    this.wrongType(name, 'a string', v.value, `write ${name}: "<text>" (quote it)`);
    return undefined;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.get(name);
    if (v === undefined || v.value === null) return fallback;
    const b = asBool(v.value);
    if (b !== undefined) return b;
    this.wrongType(name, 'a boolean', v.value, `write ${name}: true or ${name}: false`);
    return fallback;
  }

  /** `auto` (also when unset) or a boolean. */
  boolOrAuto(name: string): boolean | 'auto' {
    const v = this.get(name);
    if (v === undefined || v.value === null || v.value === 'auto') return 'auto';
    const b = asBool(v.value);
    if (b !== undefined) return b;
    this.wrongType(
      name,
      'auto, true or false',
      v.value,
      `write ${name}: auto, ${name}: true or ${name}: false`,
    );
    return 'auto';
  }

  /** An integer in [min, max]; digit strings are accepted as Ansible converts them. */
  int(name: string, fallback: number, min: number, max: number, why = ''): number {
    const v = this.get(name);
    if (v === undefined || v.value === null) return fallback;
    const n =
      typeof v.value === 'number'
        ? v.value
        : typeof v.value === 'string' && /^\d+$/.test(v.value)
          ? Number(v.value)
          : NaN;
    if (!Number.isInteger(n)) {
      this.wrongType(
        name,
        'an integer',
        v.value,
        `write ${name}: <number> with a whole number from ${min} to ${max}`,
      );
      return fallback;
    }
    if (n < min || n > max) {
      this.report(
        name,
        `${name} must be from ${min} to ${max}, got ${n}${why ? `: ${why}` : ''}`,
        `set ${name} to a whole number from ${min} to ${max}`,
      );
      return fallback;
    }
    return n;
  }

  /** A positive number (integers or decimals). */
  positiveNumber(name: string, fallback: number): number {
    const v = this.get(name);
    if (v === undefined || v.value === null) return fallback;
    const n =
      typeof v.value === 'number'
        ? v.value
        : typeof v.value === 'string' && /^\d+(\.\d+)?$/.test(v.value)
          ? Number(v.value)
          : NaN;
    if (!Number.isFinite(n) || n <= 0) {
      this.wrongType(
        name,
        'a positive number',
        v.value,
        `write ${name}: <number>, e.g. ${name}: ${fallback}`,
      );
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.get(name);
    if (v === undefined || v.value === null) return fallback;
    if (typeof v.value === 'string' && (allowed as readonly string[]).includes(v.value)) return v.value as T;
    this.report(
      name,
      `${name} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${this.show(name, v.value)}`,
      `set ${name} to one of: ${allowed.join(', ')}`,
    );
    return fallback;
  }

  /** A local file path (resolved from the inventory folder, `~` expanded) that must be readable. */
  readableFile(name: string): string | undefined {
    const written = this.string(name);
    if (written === undefined) return undefined;
    if (written.trim() === '') {
      this.report(name, `${name} is empty`, `set ${name} to a file path, or remove it`);
      return undefined;
    }
    const file = resolveInventoryPath(written, this.ctx.inventoryDir, this.ctx.home);
    const reason = unreadableReason(file);
    if (reason) {
      this.report(
        name,
        `${name}: file ${file} ${reason}`,
        `create the file or correct the path (relative paths start at the inventory folder ${this.ctx.inventoryDir})`,
      );
      return undefined;
    }
    return file;
  }

  /**
   * A secret: a string (a vault value or plain text), `{ env: NAME }` or `{ file: PATH }`. The
   * value never reaches a message.
   */
  secret(name: string, v: VarValue | undefined = this.get(name)): Secret | undefined {
    if (v === undefined || v.value === null) return undefined;
    const value = v.value;
    if (typeof value === 'string') return new Secret(value);
    if (typeof value === 'number') return new Secret(String(value));
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === 'env' && typeof value.env === 'string' && value.env !== '') {
        const fromEnv = this.ctx.env[value.env];
        if (fromEnv === undefined) {
          this.#unavailable(
            name,
            `${name} comes from environment variable ${value.env}, which is not set`,
            `export ${value.env}=... before running (or read it from a file with { file: PATH })`,
          );
          return undefined;
        }
        return new Secret(fromEnv);
      }
      if (keys.length === 1 && keys[0] === 'file' && typeof value.file === 'string' && value.file !== '') {
        const file = resolveInventoryPath(value.file, this.ctx.inventoryDir, this.ctx.home);
        const reason = unreadableReason(file);
        if (reason) {
          this.#unavailable(
            name,
            `${name} comes from file ${file}, which ${reason}`,
            `create the file (mode 0600) or correct the path (relative paths start at ${this.ctx.inventoryDir})`,
          );
          return undefined;
        }
        const read = readInputFile(file, `${name} file`, 1024 * 1024);
        if (read.diagnostic) {
          this.#unavailable(
            name,
            `${name} comes from file ${file}: ${read.diagnostic.message}`,
            read.diagnostic.fix,
          );
          return undefined;
        }
        return new Secret(read.text.replace(/[\r\n]+$/, ''));
      }
    }
    this.report(
      name,
      `${name} must be a string, { env: NAME } or { file: PATH }, got ${describeType(value)}`,
      `write ${name}: { env: MY_VARIABLE } to read it from the environment (or quote a literal string)`,
    );
    return undefined;
  }

  /** A secret source that cannot be read now: what that means depends on the command. */
  #unavailable(name: string, message: string, fix: string): void {
    if (this.ctx.secrets === 'ignore') return;
    if (this.ctx.secrets === 'warn') {
      this.report(name, `${message} (apply and rollback refuse to run without it)`, fix, 'warning');
      return;
    }
    this.report(name, message, fix);
  }
}
