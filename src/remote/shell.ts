/** Building blocks for generating POSIX sh text safely from TypeScript values. */
import { PRIVATE_DIR } from '../transport/private-upload.js';
import { singleQuote } from '../transport/shell-quote.js';

/**
 * Tag for shell fragments: like String.raw (backslashes stay as written, which keeps sed and grep
 * patterns readable), except that `$\{` stands for `${`, because a bare `${` would be JavaScript
 * interpolation.
 */
export function sh(strings: TemplateStringsArray, ...values: string[]): string {
  const raw = strings.raw.map((part) => part.replaceAll('$\\{', '${'));
  return String.raw({ raw }, ...values);
}

/** Always single-quoted, so generated scripts read the same whatever the value. */
export const shQuote = singleQuote;

/** Base64 wrapped at 64 columns: `base64 -d` accepts any wrapping, `openssl base64 -d` needs short lines. */
export function base64Lines(data: Buffer | string): string {
  const encoded = Buffer.from(data).toString('base64');
  return encoded.match(/.{1,64}/g)?.join('\n') ?? '';
}

/** Base64 on one line, for short values inside `@@APIM` lines and manifests. */
export function base64One(data: Buffer | string): string {
  return Buffer.from(data).toString('base64');
}

/** Delimiter for base64 heredocs: base64 never contains `_`, so it cannot occur in the body. */
export const PAYLOAD_END = 'APIM_PAYLOAD_END';

/** A quoted heredoc feeding base64 text to a command: `<cmd> <<'END' ... END`. */
export function base64Heredoc(command: string, data: Buffer | string): string {
  return `${command} <<'${PAYLOAD_END}'\n${base64Lines(data)}\n${PAYLOAD_END}`;
}

/** Escapes a literal string for the pattern side of a sed `s#...#...#` (basic regular expression). */
export function sedPattern(literal: string): string {
  assertSedSafe(literal);
  return literal.replace(/[\\.[\]*^$#]/g, (c) => `\\${c}`);
}

/** Escapes a literal string for the replacement side of a sed `s#...#...#`. */
export function sedReplacement(literal: string): string {
  assertSedSafe(literal);
  return literal.replace(/[\\&#]/g, (c) => `\\${c}`);
}

function assertSedSafe(value: string): void {
  if (value.includes('\n')) throw new Error(`path contains a newline: ${JSON.stringify(value)}`);
}

/** Rejects paths the scripts cannot handle: relative ones, and ones with newlines (lists are line-based). */
export function assertAbsolutePath(path: string, what: string): void {
  if (!path.startsWith('/')) throw new Error(`${what} must be an absolute path: ${JSON.stringify(path)}`);
  if (/[\n\0]/.test(path)) throw new Error(`${what} contains a newline or NUL: ${JSON.stringify(path)}`);
}

/** `/etc/nginx/` -> `/etc/nginx`; keeps `/`. */
export function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** True when `path` is `dir` itself or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  const d = trimSlash(dir);
  return path === d || path.startsWith(`${d}/`);
}

/** Octal mode text as the scripts compare it: 4 digits, e.g. `644` -> `0644`. */
export function normalizeMode(mode: string): string {
  if (!/^[0-7]{3,4}$/.test(mode))
    throw new Error(`invalid file mode ${JSON.stringify(mode)}: use octal like 0644`);
  return mode.padStart(4, '0');
}

/** Owner/group names go into `chown` unquoted-safe forms only. */
export function assertAccountName(name: string, what: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name)) {
    throw new Error(`${what} is not a valid user or group name: ${JSON.stringify(name)}`);
  }
}

/**
 * Assembles a complete script. The body is one `{ ... }` group so the shell parses all of it before
 * running anything: with `sh -s` the script arrives on stdin, and a command that read stdin would
 * otherwise swallow the rest of the script. Inside, stdin is /dev/null for every command, and HUP
 * and PIPE are ignored so a dropped SSH connection cannot stop the script half-way.
 */
export function assembleScript(title: string, parts: string[]): string {
  return [
    '#!/bin/sh',
    `# ${title}`,
    '{',
    "trap '' HUP PIPE",
    'exec </dev/null',
    SELF_REMOVE,
    ...parts,
    '}',
    '',
  ].join('\n');
}

/**
 * A script uploaded as a private file (payloads, keys) deletes that file once parsed, so a
 * connection cut mid-run (when the controller's own `rm` never comes) leaves no secret behind.
 */
const SELF_REMOVE = `case $0 in */${PRIVATE_DIR}/*) rm -f -- "$0" ;; esac`;
