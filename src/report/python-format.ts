import { pyJsonDumps as dumps } from '../domain/python-json.js';
import { UnsafeText, VaultedText } from '../domain/tagged-values.js';

/**
 * Output as Ansible's Python prints it, so `apim-provision inventory` matches ansible-inventory
 * byte for byte: json.dumps(sort_keys=True, indent=4, ensure_ascii=False) with Ansible's encoder,
 * and str() of values for `--graph --vars`.
 */

/** Ansible's encoder shows tagged values as objects: {"__ansible_unsafe": ...}, {"__ansible_vault": ...}. */
function tagged(value: unknown): Record<string, unknown> | undefined {
  if (value instanceof UnsafeText) return { __ansible_unsafe: value.text };
  if (value instanceof VaultedText) return { __ansible_vault: value.ciphertext };
  return undefined;
}

/** json.dumps(value, sort_keys=True, indent=4, ensure_ascii=False). */
export function pyJsonDumps(value: unknown): string {
  return dumps(value, { indent: 4, sortKeys: true, ensureAscii: false, tagged });
}
