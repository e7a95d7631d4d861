/**
 * Python's `shlex.split` (POSIX mode), which Ansible uses for INI inventory host lines and for
 * `ansible_ssh_common_args`: whitespace separates words; single quotes keep everything; in double
 * quotes a backslash only escapes `"` and `\`; outside quotes it escapes any character. With
 * `comments`, a `#` outside quotes ends the line, even inside a word (`a#b` is `a`).
 */
export function shlexSplit(text: string, options: { comments?: boolean } = {}): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined) throw new ShlexError('No escaped character');
        if (next === '"' || next === '\\') {
          word += next;
          i++;
        } else word += c;
      } else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new ShlexError('No escaped character');
      word += next;
      i++;
      inWord = true;
    } else if (options.comments && c === '#') {
      break;
    } else if (' \t\r\n'.includes(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ShlexError('No closing quotation');
  if (inWord) words.push(word);
  return words;
}

/** The text cannot be split (an unclosed quote, a trailing backslash): Python raises ValueError. */
export class ShlexError extends Error {
  override readonly name = 'ShlexError';
}
