import { Secret } from '../domain/secret.js';
import { pyFloatRepr } from '../domain/python-repr.js';
import { isFloatAt, UnsafeText, VaultedText } from '../domain/tagged-values.js';

/**
 * Output as Ansible's Python prints it, so `apim-provision inventory` matches ansible-inventory
 * byte for byte: json.dumps(sort_keys=True, indent=4, ensure_ascii=False) with Ansible's encoder,
 * and str() of values for `--graph --vars`.
 */

function jsonFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return pyFloatRepr(n);
}

function jsonScalar(value: unknown, float: boolean): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return float || !Number.isInteger(value) ? jsonFloat(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Secret) return JSON.stringify(Secret.PLACEHOLDER);
  return undefined;
}

/** Ansible's encoder shows tagged values as objects: {"__ansible_unsafe": ...}, {"__ansible_vault": ...}. */
function tagged(value: unknown): Record<string, unknown> | undefined {
  if (value instanceof UnsafeText) return { __ansible_unsafe: value.text };
  if (value instanceof VaultedText) return { __ansible_vault: value.ciphertext };
  return undefined;
}

/** json.dumps(value, sort_keys=True, indent=4, ensure_ascii=False). */
export function pyJsonDumps(value: unknown, float = false, level = 0): string {
  const scalar = jsonScalar(value, float);
  if (scalar !== undefined) return scalar;
  const obj = tagged(value) ?? value;
  const pad = ' '.repeat((level + 1) * 4);
  const end = ' '.repeat(level * 4);
  if (Array.isArray(obj)) {
    if (obj.length === 0) return '[]';
    const items = obj.map((item, i) => pad + pyJsonDumps(item, isFloatAt(obj, i), level + 1));
    return `[\n${items.join(',\n')}\n${end}]`;
  }
  const record = obj as Record<string, unknown>;
  const keys = Object.keys(record).sort(codePointCompare);
  if (keys.length === 0) return '{}';
  const items = keys.map(
    (k) => `${pad}${JSON.stringify(k)}: ${pyJsonDumps(record[k], isFloatAt(record, k), level + 1)}`,
  );
  return `{\n${items.join(',\n')}\n${end}}`;
}

function codePointCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
