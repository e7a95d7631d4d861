import { EXIT } from '../report/index.js';

/**
 * First Ctrl-C: no new change starts, connections being set up are dropped; changes in flight
 * finish or roll back on the host, and the recap says which. Second Ctrl-C: `beforeQuit` (the
 * --json report of what is known) runs, then the process leaves with 130 (the hosts' transactions
 * still complete by themselves: they ignore the dropped connection).
 */
export function interruptOnSigint(beforeQuit: () => Promise<void> = async () => undefined): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  let quitting = false;
  const onSigint = () => {
    if (controller.signal.aborted) {
      if (quitting) return;
      quitting = true;
      void beforeQuit()
        .catch(() => undefined)
        .finally(() => process.exit(EXIT.INTERRUPTED));
      return;
    }
    process.stderr.write(
      '\ninterrupted: finishing the changes in flight, starting no new ones (Ctrl-C again to quit now)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
