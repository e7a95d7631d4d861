/** Colour only for a real terminal, and never when NO_COLOR is set or in CI logs. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && !process.env.CI;
}

/** listr2's live progress needs a terminal; CI and pipes get plain lines. */
export function progressMode(stream: NodeJS.WriteStream): 'tty' | 'plain' {
  return stream.isTTY && !process.env.CI ? 'tty' : 'plain';
}
