/** Options Ansible lets command/shell users put inline, as `key=value`, after the command. */
const INLINE_OPTIONS = ['creates', 'removes', 'chdir'] as const;

/** Whitespace-separated tokens (quotes keep spaces inside a token), as [start, end) offsets. */
function tokenSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = -1;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    // A Jinja expression is one word even with spaces inside: `{{ root }}/x`.
    if (ch === '{' && (text[i + 1] === '{' || text[i + 1] === '%')) {
      const close = text.indexOf(text[i + 1] === '{' ? '}}' : '%}', i + 2);
      if (start < 0) start = i;
      i = close < 0 ? text.length - 1 : close + 1;
      continue;
    }
    if (/\s/.test(ch)) {
      if (start >= 0) spans.push([start, i]);
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '\\') i++;
  }
  if (start >= 0) spans.push([start, text.length]);
  return spans;
}

function unquote(value: string): string {
  const q = value[0];
  return (q === '"' || q === "'") && value.endsWith(q) && value.length >= 2 ? value.slice(1, -1) : value;
}

/**
 * Splits an Ansible free-form command line (`cmd creates=/x chdir=/tmp`) into `cmd` and the
 * inline options. The command keeps its own quoting: it is handed to the shell as written.
 */
export function parseFreeFormCommand(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  let cmd = '';
  let prevEnd = -1;
  for (const [start, end] of tokenSpans(text)) {
    const token = text.slice(start, end);
    const eq = token.indexOf('=');
    const key = eq > 0 ? token.slice(0, eq) : '';
    if ((INLINE_OPTIONS as readonly string[]).includes(key)) {
      options[key] = unquote(token.slice(eq + 1));
      prevEnd = -1;
      continue;
    }
    // Keep the original spacing between neighbouring command words; one space across a removed option.
    const gap = cmd === '' ? '' : prevEnd >= 0 ? text.slice(prevEnd, start) : ' ';
    cmd += gap + token;
    prevEnd = end;
  }
  return { cmd, ...options };
}
