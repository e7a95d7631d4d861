/**
 * The transaction's test-only pause, inserted from the test side: the shipped transaction.sh has
 * only a marker comment at the point (after the snapshot and the pending-reload marker, before the
 * swap). Fault tests pause there to cut connections or kill the run mid-way.
 */

export const PAUSE_MARKER = '# apim-test-hook: after-snapshot';

/**
 * Shell code that emits `paused <pid>` (the shell running the program, which came on stdin: its
 * command line is only `sh -s`, so the fault tests find it by this line of its run log) and sleeps:
 * `seconds`, or else the number in $STATE/test-pause-seconds (a root-only folder the lab tests
 * write with docker exec; sudo would strip an environment variable).
 */
export function pauseCode(seconds?: number): string {
  const value =
    seconds === undefined ? '$(cat "$STATE/test-pause-seconds" 2>/dev/null || :)' : String(seconds);
  return [
    `APIM_PAUSE=${value}`,
    'case $APIM_PAUSE in',
    "  '' | *[!0-9]*) ;;",
    '  *)',
    '    apim_emit paused "$$"',
    '    sleep "$APIM_PAUSE"',
    '    ;;',
    'esac',
  ].join('\n');
}

/** The script with the pause in place of its marker (throws when there is no marker). */
export function withPause(script: string, seconds?: number): string {
  if (!script.includes(PAUSE_MARKER)) throw new Error('no test hook marker in this script');
  // A function, not a string: a replacement string would turn the code's `$$` into `$`.
  return script.replace(PAUSE_MARKER, () => pauseCode(seconds));
}
