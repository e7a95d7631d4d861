/** ANSI styles used by the text reporters; a tiny local helper so colour stays optional and testable. */
export type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'dim' | 'bold';

const CODES: Record<Style, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  magenta: [35, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** Wraps `text` in the style's escape codes when `enabled`, per line so multi-line text stays styled. */
export function paint(style: Style, text: string, enabled: boolean): string {
  if (!enabled || text === '') return text;
  const [open, close] = CODES[style];
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `\u001b[${open}m${line}\u001b[${close}m`))
    .join('\n');
}

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;

/** Visible width of a string that may hold colour codes, for column alignment. */
export function visibleLength(text: string): number {
  return text.replace(ANSI_PATTERN, '').length;
}
