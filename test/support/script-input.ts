/**
 * Reads back the generated input of a remote program (src/remote/script-input.ts): the
 * `NAME='value'` assignments between the `# ---- input ----` line and `apim_main`. Tests use it to
 * see exactly the data a script gets, and the engine's fake host to answer as the script would.
 */

export function scriptInputs(program: string): Record<string, string> {
  const start = program.indexOf('# ---- input ----\n');
  const end = program.lastIndexOf('\napim_main\n}');
  if (start < 0 || end < 0) throw new Error('not an assembled apim-provision program');
  const text = program.slice(start + '# ---- input ----\n'.length, end);
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\n') {
      i++;
      continue;
    }
    // A shellcheck directive (text payloads, which the program reads through eval).
    if (text.startsWith('# shellcheck ', i)) {
      i = text.indexOf('\n', i) + 1 || text.length;
      continue;
    }
    const m = /^([A-Z][A-Z0-9_]*)='/.exec(text.slice(i));
    if (!m) throw new Error(`unexpected input text at ${JSON.stringify(text.slice(i, i + 40))}`);
    i += m[0].length;
    let value = '';
    for (;;) {
      const close = text.indexOf("'", i);
      if (close < 0) throw new Error(`unterminated value of ${m[1]}`);
      value += text.slice(i, close);
      i = close + 1;
      // `'\''` is a quote inside the value
      if (text.startsWith("\\''", i)) {
        value += "'";
        i += 3;
        continue;
      }
      break;
    }
    out[m[1]!] = value;
  }
  return out;
}

/** A text or path field of an input row (`-` is the empty text, `=path` a plain path, else base64). */
export function field(value: string): string {
  return fieldBytes(value).toString('utf8');
}

export function fieldBytes(value: string): Buffer {
  if (value === '-') return Buffer.alloc(0);
  return value.startsWith('=') ? Buffer.from(value.slice(1)) : Buffer.from(value, 'base64');
}

/** The file contents of a transaction's input by payload number (APIM_PAYLOADS, text ones `@`). */
export function payloadContents(inputs: Record<string, string>): Map<number, Buffer> {
  return new Map(
    inputRows(inputs, 'APIM_PAYLOADS').map(([i, data]) => {
      if (data !== '@') return [Number(i), fieldBytes(data ?? '')];
      const value = inputs[`APIM_PAYLOAD_${i}`];
      if (value === undefined) throw new Error(`no input APIM_PAYLOAD_${i}`);
      return [Number(i), Buffer.from(value)];
    }),
  );
}

/** The rows of a list input, each split into its fields. */
export function inputRows(inputs: Record<string, string>, name: string): string[][] {
  const value = inputs[name];
  if (value === undefined) throw new Error(`no input ${name}`);
  return value
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' '));
}

/** The program's name, from its title line `# apim-provision <name>: ...`. */
export function programName(script: string): string | undefined {
  return /^# apim-provision ([a-z-]+):/m.exec(script.split('\n', 2)[1] ?? '')?.[1];
}
