/**
 * Text from hosts (old file contents in --diff, command output, nginx's error lines, certificate
 * subjects) and from input files reaches the user's terminal. Terminal control characters in it
 * would act instead of showing: ESC sequences that clear the screen, move the cursor, set the
 * window title or hide text; a carriage return that overwrites a line (a fake "ok"); bidi
 * overrides that reorder what is read. They are shown escaped instead (`\x1b`, `\r`, `\u202e`).
 * Newlines and tabs stay as they are.
 *
 * This is the one place that decides it: the reporters see events through `sanitiseDeep`, the
 * validation output through `sanitiseText`, and the JSON report keeps every value exact but
 * writes these characters as `\uXXXX` escapes (`jsonText`).
 */

/**
 * C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), the line and
 * paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
 */
const TERMINAL_CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = {
  '\r': '\\r',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
  '\0': '\\0',
};

function escape(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every terminal control character shown as an escape. */
export function sanitiseText(text: string): string {
  return text.replace(TERMINAL_CONTROL, escape);
}

export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * `value` with `text` applied to every string inside lists and plain objects (keys are the
 * program's own), and `other` to every other leaf. Only what changes is copied: a list or object
 * none of whose values change is returned as it is. Every reporter event and the JSON report go
 * through here, and almost none of their strings hold a secret or a control character: copying
 * every object of every event was ~0.25 ms of controller CPU per host (bench/scale, converge).
 */
export function mapStrings<T>(
  value: T,
  text: (s: string) => string,
  other: (v: unknown) => unknown = (v) => v,
): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      v.forEach((x, i) => {
        const y = walk(x);
        if (y !== x) copy ??= [...(v as unknown[])];
        if (copy) copy[i] = y;
      });
      return copy ?? v;
    }
    if (v !== null && typeof v === 'object' && isPlainObject(v)) {
      let copy: Record<string, unknown> | undefined;
      for (const [k, x] of Object.entries(v)) {
        const y = walk(x);
        if (y !== x) copy ??= { ...v };
        if (copy) copy[k] = y;
      }
      return copy ?? v;
    }
    return other(v);
  };
  return walk(value) as T;
}

/** `value` with every string in it sanitised (copied where that changes it). */
export function sanitiseDeep<T>(value: T): T {
  return mapStrings(value, sanitiseText);
}

/**
 * JSON text of `value`, parsing back to exactly `value`: JSON.stringify escapes C0 controls
 * already; the other terminal controls are written as `\uXXXX` too, so the file or a `--json -`
 * on a terminal holds none of them raw.
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    TERMINAL_CONTROL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
