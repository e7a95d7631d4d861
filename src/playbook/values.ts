/** Coercions of playbook values shared by play and task validation. */

const BOOLEAN_WORDS: Record<string, boolean> = {
  yes: true,
  true: true,
  on: true,
  no: false,
  false: false,
  off: false,
};

/** A boolean, accepting the yes/no words YAML 1.2 leaves as strings. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return BOOLEAN_WORDS[value.trim().toLowerCase()];
  return undefined;
}

/** A string, or a list of strings (a comma-separated string is split when `splitCommas`). */
export function asStringList(value: unknown, splitCommas = false): string[] | undefined {
  if (typeof value === 'string') {
    const parts = splitCommas ? value.split(',') : [value];
    return parts.map((s) => s.trim()).filter((s) => s !== '');
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.map((v) => String(v).trim());
  }
  return undefined;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
