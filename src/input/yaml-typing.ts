/**
 * Scalar typing of Ansible's YAML loader (PyYAML's YAML 1.1 resolver and SafeConstructor): which
 * plain scalars are booleans, integers (010 octal, 0x, 0b, 1_000, 1:30 base 60), floats (a dot is
 * required: 1e3 is a string), null, or strings. Quoted and block scalars are always strings.
 */

export type PlainScalar =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'timestamp'; value: string }
  | { kind: 'str'; value: string }
  /** `=` (PyYAML's "value" tag): Ansible's loader has no constructor for it and fails. */
  | { kind: 'value' };

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** PyYAML's `$` also matches before one final newline; plain scalars never end in one. */
export function resolvePlain(text: string): PlainScalar {
  if (NULL.test(text)) return { kind: 'null' };
  if (BOOL.test(text)) return { kind: 'bool', value: toBool(text)! };
  if (INT.test(text)) return { kind: 'int', value: toInt(text)! };
  if (FLOAT.test(text)) return { kind: 'float', value: toFloat(text)! };
  if (TIMESTAMP.test(text)) return { kind: 'timestamp', value: text };
  if (text === '=') return { kind: 'value' };
  return { kind: 'str', value: text };
}

/** `!!bool` and implicit booleans: PyYAML lower-cases and looks the word up. */
export function toBool(text: string): boolean | undefined {
  const w = text.toLowerCase();
  if (w === 'yes' || w === 'true' || w === 'on') return true;
  if (w === 'no' || w === 'false' || w === 'off') return false;
  return undefined;
}

function sexagesimal(digits: string): number {
  let value = 0;
  for (const part of digits.split(':')) value = value * 60 + Number(part);
  return value;
}

/** `!!int` and implicit integers, as PyYAML's construct_yaml_int (undefined when not an integer). */
export function toInt(text: string): number | undefined {
  let value = text.replace(/_/g, '');
  let sign = 1;
  if (value.startsWith('-')) sign = -1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  let n: number;
  if (value === '0') n = 0;
  else if (value.startsWith('0b')) n = parseRadix(value.slice(2), 2, /^[01]+$/);
  else if (value.startsWith('0x')) n = parseRadix(value.slice(2), 16, /^[0-9a-fA-F]+$/);
  else if (value.startsWith('0')) n = parseRadix(value.slice(1), 8, /^[0-7]+$/);
  else if (value.includes(':')) n = /^[0-9]+(?::[0-9]+)+$/.test(value) ? sexagesimal(value) : NaN;
  else n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  return Number.isNaN(n) ? undefined : sign * n;
}

function parseRadix(digits: string, radix: number, valid: RegExp): number {
  return valid.test(digits) ? parseInt(digits, radix) : NaN;
}

/** `!!float` and implicit floats, as PyYAML's construct_yaml_float. */
export function toFloat(text: string): number | undefined {
  let value = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (value.startsWith('-')) sign = -1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  if (value.includes(':')) {
    const parts = value.split(':');
    const last = Number(parts.pop());
    if (Number.isNaN(last) || parts.some((p) => !/^[0-9]+$/.test(p))) return undefined;
    return sign * (sexagesimal(parts.join(':')) * 60 + last);
  }
  // Python's float(): digits with an optional dot and exponent.
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?$/.test(value)) return undefined;
  return sign * Number(value);
}

/**
 * A timestamp as Ansible shows it: a date stays `YYYY-MM-DD`; a date and time becomes Python's
 * isoformat (`2001-12-14T21:59:43.100000-05:00`). Undefined for an impossible date.
 */
export function timestampText(text: string): string | undefined {
  const m =
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/.exec(
      text,
    );
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const ymd = `${m[1]}-${pad(month)}-${pad(day)}`;
  if (m[4] === undefined) return ymd;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const micros = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  // Python's isoformat shows microseconds only when there are some.
  const fraction = /^0+$/.test(micros) ? '' : `.${micros}`;
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}${fraction}`;
  const zone = m[8];
  if (zone === undefined) return `${ymd}T${time}`;
  if (zone === 'Z') return `${ymd}T${time}+00:00`;
  const [zh, zm] = zone.slice(1).split(':');
  return `${ymd}T${time}${zone[0]}${pad(Number(zh))}:${pad(Number(zm ?? 0))}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
