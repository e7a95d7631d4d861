/**
 * The machine-readable part of a remote script's output: lines `@@APIM <key> <value>`. Values that may
 * contain spaces or newlines travel as base64, or as plain text records (decodeText). Every other line
 * is human text, kept for error messages.
 */

export const PROTOCOL_MARKER = '@@APIM';

export interface ProtocolRecord {
  key: string;
  /** Everything after the key (may be empty, may hold several space-separated fields). */
  value: string;
}

export interface ProtocolOutput {
  records: ProtocolRecord[];
  /** Non-protocol lines, in order. */
  text: string[];
}

/** A script's output lacks something its parser needs (the script died, or is not ours). */
export class RemoteOutputError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'RemoteOutputError';
  }
}

export function formatRecord(key: string, value: string): string {
  if (!/^[a-z0-9_]+$/.test(key)) throw new Error(`invalid protocol key ${JSON.stringify(key)}`);
  if (/[\r\n]/.test(value)) throw new Error('protocol values are single-line: base64-encode them');
  return `${PROTOCOL_MARKER} ${key} ${value}`;
}

export function parseProtocol(stdout: string): ProtocolOutput {
  const records: ProtocolRecord[] = [];
  const text: string[] = [];
  for (const line of stdout.split('\n')) {
    const clean = line.replace(/\r$/, '');
    const match = /^@@APIM ([a-z0-9_]+)(?: (.*))?$/.exec(clean);
    if (match) records.push({ key: match[1] ?? '', value: match[2] ?? '' });
    else if (clean !== '') text.push(clean);
  }
  return { records, text };
}

export function encodeValue(value: string | Buffer): string {
  return Buffer.from(value).toString('base64');
}

export function decodeValue(value: string): Buffer {
  return Buffer.from(value.trim(), 'base64');
}

/**
 * A text value: base64, or a plain text record, `=` then the text with each newline written `\n`
 * (what facts.sh sends for a text of printable ASCII and tabs without a backslash, so no encoding
 * is run on the host). Base64 never starts with `=`.
 */
export function decodeText(value: string): string {
  if (value.startsWith('=')) return value.slice(1).replaceAll('\\n', '\n');
  return decodeValue(value).toString('utf8');
}

/** An input field a script echoes back (script-input.ts): `-` empty, `=path` plain, else base64. */
export function decodeField(value: string): string {
  if (value === '-') return '';
  return value.startsWith('=') ? value.slice(1) : decodeText(value);
}

/** Convenience lookups over parsed records. */
export class Records {
  constructor(readonly output: ProtocolOutput) {}

  static parse(stdout: string): Records {
    return new Records(parseProtocol(stdout));
  }

  all(key: string): string[] {
    return this.output.records.filter((r) => r.key === key).map((r) => r.value);
  }

  /** The last value for a key (scripts may revise a value), or undefined. */
  get(key: string): string | undefined {
    return this.all(key).at(-1);
  }

  has(key: string): boolean {
    return this.output.records.some((r) => r.key === key);
  }

  flag(key: string): boolean {
    return this.get(key) === '1';
  }

  text(key: string): string | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : decodeText(v);
  }

  /** Decoded `message` records, then the human text lines. */
  messages(): string[] {
    return [...this.all('message').map(decodeText), ...this.output.text];
  }
}
