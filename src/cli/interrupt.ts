/**
 * First Ctrl-C: no new change starts; changes in flight finish or roll back on the host, and the
 * recap says which. Second Ctrl-C: leave at once (the hosts' transactions still complete by
 * themselves: they ignore the dropped connection).
 */
export function interruptOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      '\ninterrupted: finishing the changes in flight, starting no new ones (Ctrl-C again to quit now)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
