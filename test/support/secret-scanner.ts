/**
 * One scanner for every secret of a test run and every output channel (text, -vvv, --diff,
 * --json, run logs on a host). It knows each secret and what a template or an encoder could make
 * of it: upper/lower case, reversed, base64 (standard and URL-safe), hex, URL-encoded,
 * JSON-escaped, and a prefix of long ones (a truncated line still leaks). PEM keys are scanned by
 * their body lines.
 */

/** Shorter forms match ordinary words too often to mean anything. */
const MIN_FORM_LENGTH = 6;
/** A secret this long also leaks through its first PREFIX characters. */
const PREFIX_FROM = 16;
const PREFIX = 12;

export interface Leak {
  label: string;
  form: string;
  channel: string;
}

function formsOf(secret: string): Map<string, string> {
  const forms = new Map<string, string>();
  const add = (form: string, text: string) => {
    if (text.length >= MIN_FORM_LENGTH && !forms.has(text)) forms.set(text, form);
  };
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  add('as is', secret);
  add('upper case', secret.toUpperCase());
  add('lower case', secret.toLowerCase());
  add('reversed', [...secret].reverse().join(''));
  add('base64', b64);
  add('base64 (unpadded)', b64.replace(/=+$/, ''));
  add('base64url', Buffer.from(secret, 'utf8').toString('base64url'));
  add('hex', Buffer.from(secret, 'utf8').toString('hex'));
  add('HEX', Buffer.from(secret, 'utf8').toString('hex').toUpperCase());
  add('url-encoded', encodeURIComponent(secret));
  add('JSON-escaped', JSON.stringify(secret).slice(1, -1));
  if (secret.length >= PREFIX_FROM) add(`first ${PREFIX} characters`, secret.slice(0, PREFIX));
  return forms;
}

export class SecretScanner {
  readonly #forms = new Map<string, { label: string; form: string }>();

  /** A secret value (password, passphrase, licence text); `label` names it in a failure. */
  add(label: string, secret: string): this {
    for (const [text, form] of formsOf(secret)) this.#forms.set(text, { label, form });
    return this;
  }

  /** A PEM private key: its header and every body line of 40+ characters. */
  addPem(label: string, pem: string): this {
    const body = pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));
    if (body.length === 0) throw new Error(`${label}: no PEM body lines`);
    for (const line of body) this.add(label, line);
    return this;
  }

  get size(): number {
    return this.#forms.size;
  }

  /** Every known form found in `text`. */
  leaks(channel: string, text: string): Leak[] {
    const found: Leak[] = [];
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
      found.push({ label: 'a private key', form: 'PEM header', channel });
    for (const [form, where] of this.#forms) if (text.includes(form)) found.push({ ...where, channel });
    return found;
  }

  /** Throws, naming the secret, the form and the channel (never the value), at the first leak. */
  assertClean(channel: string, text: string): void {
    if (this.#forms.size === 0) throw new Error('the scanner knows no secret: it would prove nothing');
    const [leak] = this.leaks(channel, text);
    if (leak) throw new Error(`${leak.label} leaked (${leak.form}) in ${leak.channel}`);
  }
}
