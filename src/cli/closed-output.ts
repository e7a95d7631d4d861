/**
 * A reader that closes the pipe early (`apim-provision inventory --list | head -1`): writing then
 * fails with EPIPE, which Node raises as an unhandled 'error' event (a stack trace, exit 1). POSIX
 * tools are killed by SIGPIPE there, silently, which shells report as 128 + 13; Node ignores
 * SIGPIPE, so the process ends itself the same way, with that code and no text.
 *
 * Not while hosts are being changed (apply, rollback): ending then would leave a transaction half
 * done. The run carries on with the closed stream muted, finishes (or rolls back) every host as it
 * would have, and exits with its own code: what it did to the hosts is what a caller must learn.
 */

/** How shells report a command killed by SIGPIPE (128 + 13). */
export const EXIT_CLOSED_PIPE = 141;

let changingHosts = 0;
let guarded = false;

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/** Writes to a closed stream go nowhere (a waiting writer is told they are done). */
function mute(stream: NodeJS.WriteStream): void {
  (stream as unknown as { write: Write }).write = (_chunk, ...rest) => {
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (done) queueMicrotask(done);
    return true;
  };
}

/** Installs the handling once per process (main() runs more than once in tests and for lab). */
export function guardClosedOutput(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (guarded) return;
  guarded = true;
  for (const stream of streams) {
    let closed = false;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      if (!closed) {
        closed = true;
        mute(stream);
      }
      if (changingHosts === 0) exit(EXIT_CLOSED_PIPE);
    });
  }
}

/** Runs `change` (a run that changes hosts) so that a closed output cannot end the process in it. */
export async function whileChangingHosts<T>(change: () => Promise<T>): Promise<T> {
  changingHosts++;
  try {
    return await change();
  } finally {
    changingHosts--;
  }
}
