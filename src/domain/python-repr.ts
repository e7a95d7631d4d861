import { Secret } from './secret.js';
import { isFloatAt, isTuple, PyFloat, UnsafeText, VaultedText } from './tagged-values.js';

/**
 * Python's str() and repr() of values, as Ansible prints them: `ansible-inventory --graph --vars`
 * (src/report) and values written inside template text (`x{{ [1, 'a'] }}` is `x[1, 'a']`).
 */

/** Python's repr() of a float: shortest round-trip digits; exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const text = n.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exp));
  return text.includes('.') ? text : `${text}.0`;
}

/** Python's str() of a value (as `ansible-inventory --graph --vars` prints it). */
export function pyStr(value: unknown, float = false): string {
  if (typeof value === 'string') return value;
  if (value instanceof UnsafeText) return value.text;
  if (value instanceof VaultedText || value instanceof Secret) return Secret.PLACEHOLDER;
  return pyRepr(value, float);
}

/** Python's repr(), for values inside lists and dicts. */
export function pyRepr(value: unknown, float = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === 'number')
    return float || !Number.isInteger(value) ? pyFloatRepr(value) : String(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (value instanceof UnsafeText) return pyStrRepr(value.text);
  if (value instanceof VaultedText || value instanceof Secret) return pyStrRepr(Secret.PLACEHOLDER);
  if (Array.isArray(value)) {
    const items = value.map((v, i) => pyRepr(v, isFloatAt(value, i)));
    if (!isTuple(value)) return `[${items.join(', ')}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .map((k) => `${pyStrRepr(k)}: ${pyRepr(record[k], isFloatAt(record, k))}`)
    .join(', ')}}`;
}

/** repr() of a str: single quotes unless the text has one and no double quote. */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}
