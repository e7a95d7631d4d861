import { PlainReporter } from './plain-reporter.js';
import type { Reporter, ReporterOptions } from './reporter-options.js';
import { TtyReporter } from './tty-reporter.js';

/** The reporter for a run; the CLI picks `plain` when stdout is not a TTY or `CI` is set. */
export function createReporter(options: ReporterOptions): Reporter {
  return options.mode === 'tty' ? new TtyReporter(options) : new PlainReporter(options);
}
