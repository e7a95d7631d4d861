/** Ctrl-C at the prompt: the user wants out, not a usage error. */
export class PromptInterrupted extends Error {
  constructor(prompt: string) {
    super(`Ctrl-C at the ${prompt.trim().replace(/:$/, '')} prompt: nothing was contacted`);
    this.name = 'PromptInterrupted';
  }
}

/** The state of a line being typed without echo. */
export interface HiddenLine {
  text: string;
  done: boolean;
  interrupted: boolean;
}

/**
 * Applies raw-mode keystrokes to the line: Enter ends it, Backspace deletes a character, Ctrl-U
 * clears, Ctrl-C interrupts, Ctrl-D on an empty line ends it; other control keys are ignored.
 */
export function applyKeystrokes(line: HiddenLine, input: string): HiddenLine {
  let { text } = line;
  for (const char of input) {
    if (char === '\r' || char === '\n') return { text, done: true, interrupted: false };
    if (char === '\u0003') return { text: '', done: true, interrupted: true };
    if (char === '\u0004') {
      if (text === '') return { text, done: true, interrupted: false };
      continue;
    }
    if (char === '\u007f' || char === '\b') text = [...text].slice(0, -1).join('');
    else if (char === '\u0015') text = '';
    else if (char >= ' ') text += char;
  }
  return { text, done: false, interrupted: false };
}

/** The parts of process.stdin used here, so tests can pass a fake terminal. */
export interface TerminalInput {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PromptOutput {
  write(text: string): unknown;
}

/** Reads a password from the terminal without echoing it (for `-K`). */
export function askPassword(
  prompt: string,
  input: TerminalInput = process.stdin,
  output: PromptOutput = process.stderr,
): Promise<string> {
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(
      new Error(
        `Cannot ask "${prompt.trim()}": standard input is not a terminal. ` +
          'Run from a terminal, or set ansible_become_password (for example in a vars file) instead of -K.',
      ),
    );
  }
  const setRawMode = input.setRawMode.bind(input);
  return new Promise((resolve, reject) => {
    let line: HiddenLine = { text: '', done: false, interrupted: false };
    const onData = (chunk: string): void => {
      line = applyKeystrokes(line, chunk);
      if (!line.done) return;
      input.off('data', onData);
      setRawMode(false);
      input.pause();
      output.write('\n');
      if (line.interrupted) reject(new PromptInterrupted(prompt));
      else resolve(line.text);
    };
    output.write(prompt);
    setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
