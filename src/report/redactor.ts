import { Secret } from '../domain/secret.js';
import { mapStrings, sanitiseText } from './sanitise.js';

/** Secret values at least this long are scrubbed wherever they occur, even inside longer words. */
export const MIN_SUBSTRING_SECRET_LENGTH = 4;

/** Lines of a multi-line secret (a PEM key body) are registered on their own from this length. */
export const MIN_SECRET_LINE_LENGTH = 8;

const PLACEHOLDER = Secret.PLACEHOLDER;

/**
 * Whole PEM private key blocks (PKCS#1 RSA, SEC1 EC, PKCS#8, ENCRYPTED, OpenSSH), and a block that was
 * cut off before its END line (truncated command output), which runs to the end of the text.
 */
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g;

/** Characters that make up a "word" for the whole-token rule of short secrets. */
const WORD_CHAR = '[A-Za-z0-9_]';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Removes secrets from everything the reporters print or write.
 *
 * Rules (decided here, relied upon by the reporters):
 * - A registered value of 4 characters or more is replaced by `********` wherever it occurs, together
 *   with its base64 forms (padded and unpadded), its JSON-escaped form (a secret inside JSON text) and
 *   its sanitised form (control characters shown escaped, sanitise.ts).
 * - Each line of a multi-line value (a PEM key, a licence) that is 8 characters or longer is also
 *   registered, so a key leaked line by line (in a diff, in stderr) is still hidden.
 * - A value of 1 to 3 characters is only replaced as a whole token (not next to a letter, digit or
 *   `_`): replacing every `a` of a one-letter password would make the output unreadable, while
 *   `password=abc` still becomes `password=********`. Empty values are ignored: there is nothing to hide.
 * - PEM private key blocks are removed from every text whether or not they were registered.
 */
const unchanged = (s: string): string => s;

export class Redactor {
  readonly #substrings = new Set<string>();
  readonly #tokens = new Set<string>();
  #pattern: RegExp | undefined;
  /**
   * What scrubDeep made of each string, by its `then`. A run's results reach it several times
   * (the task, then its host, then the summary and the JSON report: ~0.15 ms of controller CPU
   * per host at 1,000 hosts, bench/scale); they stay referenced by the run until it ends, so this
   * holds little besides. Forgotten when a secret is added.
   */
  readonly #done = new Map<(s: string) => string, Map<string, string>>();

  add(secret: Secret | string | undefined): void {
    if (secret === undefined) return;
    const value = secret instanceof Secret ? secret.reveal() : secret;
    if (value === '') return;
    if (value.length < MIN_SUBSTRING_SECRET_LENGTH) {
      this.#tokens.add(value);
    } else {
      for (const form of formsOf(value))
        if (form.length >= MIN_SUBSTRING_SECRET_LENGTH) this.#substrings.add(form);
    }
    this.#pattern = undefined;
    this.#done.clear();
  }

  scrub(text: string): string {
    const withoutKeys = text.replace(PEM_PRIVATE_KEY, PLACEHOLDER);
    const pattern = this.#compile();
    return pattern ? withoutKeys.replace(pattern, PLACEHOLDER) : withoutKeys;
  }

  /**
   * `value` with every string scrubbed (object keys are the program's own and left as is), copied
   * only where that changes it.
   * `Secret` objects become the placeholder string and errors become errors with scrubbed messages.
   * `then` is applied to every scrubbed string in the same walk (one copy instead of two).
   */
  scrubDeep<T>(value: T, then: (scrubbed: string) => string = unchanged): T {
    // A lone string (a trace line, a message) is not remembered: nothing else keeps it.
    if (typeof value === 'string') return then(this.scrub(value)) as T;
    let done = this.#done.get(then);
    if (!done) this.#done.set(then, (done = new Map<string, string>()));
    const memo = done;
    return mapStrings(
      value,
      (s) => {
        let clean = memo.get(s);
        if (clean === undefined) memo.set(s, (clean = then(this.scrub(s))));
        return clean;
      },
      (v) => {
        if (v instanceof Secret) return PLACEHOLDER;
        if (!(v instanceof Error)) return v;
        const copy = new Error(this.scrub(v.message));
        copy.name = v.name;
        return copy;
      },
    );
  }

  #compile(): RegExp | undefined {
    if (this.#pattern) return this.#pattern;
    // Longest first, so a secret that contains another one is replaced whole.
    const substrings = [...this.#substrings].sort((a, b) => b.length - a.length).map(escapeRegExp);
    const tokens = [...this.#tokens]
      .sort((a, b) => b.length - a.length)
      .map((t) => `(?<!${WORD_CHAR})${escapeRegExp(t)}(?!${WORD_CHAR})`);
    const alternatives = [...substrings, ...tokens];
    if (alternatives.length === 0) return undefined;
    this.#pattern = new RegExp(alternatives.join('|'), 'g');
    return this.#pattern;
  }
}

/** Every form in which a secret value may show up in output. */
function formsOf(value: string): string[] {
  const forms = [value];
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  forms.push(base64, base64.replace(/=+$/, ''));
  const jsonEscaped = JSON.stringify(value).slice(1, -1);
  if (jsonEscaped !== value) forms.push(jsonEscaped);
  // Output is sanitised too; a secret holding a control character must be found in that form.
  const shown = sanitiseText(value);
  if (shown !== value) forms.push(shown);
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > 1) forms.push(...lines.filter((l) => l.length >= MIN_SECRET_LINE_LENGTH));
  return forms;
}
