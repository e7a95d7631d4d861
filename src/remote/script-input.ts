import { singleQuote } from '../transport/shell-quote.js';

/**
 * A field of an input line: a token the script reads as one word, text that travels base64, or a
 * path that travels as itself when it is plain (`=` then the path) and base64 otherwise.
 */
export type Field = { token: string } | { text: string | Buffer } | { path: string };

const NAME = /^[A-Z][A-Z0-9_]*$/;
const TOKEN = /^[^\s'"\\$`]+$/;

export const b64 = (data: string | Buffer): string => Buffer.from(data).toString('base64');

/**
 * The data a remote script gets: nothing but `NAME='value'` assignments (and, before a text
 * payload, a shellcheck directive), every value single-quoted
 * by the one quoting function (transport/shell-quote.ts), so no value is ever read as shell text.
 * Lists are multi-line values of space-separated fields; a field is either a checked token (modes,
 * digests, names the schemas validated) or base64 (paths, contents, any free text).
 */
export class ScriptInput {
  readonly #lines: string[] = [];
  readonly #names = new Set<string>();

  set(name: string, value: string | number | boolean): this {
    if (!NAME.test(name)) throw new Error(`invalid script input name ${name}`);
    if (this.#names.has(name)) throw new Error(`script input ${name} set twice`);
    this.#names.add(name);
    const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    this.#lines.push(`${name}=${singleQuote(text)}`);
    return this;
  }

  /** A list: one line per row, fields separated by a space. */
  rows(name: string, rows: readonly (readonly Field[])[]): this {
    return this.set(name, rows.map((row) => row.map(fieldText).join(' ')).join('\n'));
  }

  /**
   * File contents (commit.sh's APIM_PAYLOADS, payload <i> the i-th): UTF-8 text without NUL travels
   * as itself in APIM_PAYLOAD_<i> (its row says `@`), written by the shell's printf; other bytes
   * base64, a base64 process each (and a copy for the stage and one for the live file, which the
   * shell's printf also saves text: 9 of a first converge's 40 processes, bench/host-cpu).
   */
  payloads(contents: readonly (string | Buffer)[]): this {
    const rows: Field[][] = [];
    contents.forEach((content, i) => {
      const plain = asPlainText(content);
      if (plain === undefined) rows.push([token(String(i)), text(content)]);
      else {
        rows.push([token(String(i)), token('@')]);
        // The one comment of an input: shellcheck does not see the eval that reads it.
        this.#lines.push('# shellcheck disable=SC2034');
        this.set(`APIM_PAYLOAD_${i}`, plain);
      }
    });
    return this.rows('APIM_PAYLOADS', rows);
  }

  text(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

/** The content as a string that encodes back to the same bytes, when it has no NUL. */
function asPlainText(content: string | Buffer): string | undefined {
  const s = typeof content === 'string' ? content : content.toString('utf8');
  if (s.includes('\0')) return undefined;
  return typeof content === 'string' || Buffer.from(s, 'utf8').equals(content) ? s : undefined;
}

export function token(value: string): Field {
  if (!TOKEN.test(value)) throw new Error(`not a single-word token: ${JSON.stringify(value)}`);
  return { token: value };
}

export function text(value: string | Buffer): Field {
  return { text: value };
}

/**
 * A path the script reads without running base64 (a process per field was most of a facts
 * program's cost on the host, bench/host-cpu) when it is absolute and plain: no space, quote, `$`,
 * backslash, glob character or `=`. Any other path travels base64, like text. For input that is
 * only read; what the host keeps (its records) stays base64.
 */
export function path(value: string): Field {
  return { path: value };
}

const PLAIN_PATH = /^\/[A-Za-z0-9_./@%+:,-]*$/;

/**
 * Base64 never yields `-` or starts with `=`: `-` stands for the empty text, which would otherwise
 * be no field at all, and `=` for a plain path.
 */
function fieldText(field: Field): string {
  if ('token' in field) return field.token;
  if ('path' in field) return PLAIN_PATH.test(field.path) ? `=${field.path}` : b64(field.path);
  return field.text.length === 0 ? '-' : b64(field.text);
}
