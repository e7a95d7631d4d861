import type { HostResult, TaskResult, TaskStatus } from '../engine/types.js';
import { paint, type Style } from './ansi.js';
import { formatDuration } from './duration.js';
import { renderChange } from './render-change.js';

export const STATUS_STYLE: Record<TaskStatus, Style> = {
  ok: 'green',
  changed: 'yellow',
  failed: 'red',
  skipped: 'cyan',
  unreachable: 'magenta',
};

/** Continuation lines of a multi-line message (nginx's error lines) are indented under the task. */
function indentMessage(message: string): string {
  return message.trimEnd().replace(/\n/g, '\n    ');
}

/** `changed: [lb1] Write the pattern's conf.d file (1.2s)`, plus ` => message` for failures. */
export function taskHeadline(host: string, result: TaskResult, color: boolean): string {
  const head = `${result.status}: [${host}] ${result.task} (${formatDuration(result.durationMs)})`;
  const failed = result.status === 'failed' || result.status === 'unreachable';
  const message = failed && result.message ? ` => ${indentMessage(result.message)}` : '';
  return paint(STATUS_STYLE[result.status], head + message, color);
}

/** The full block for a finished task: headline, its warnings, then its changes (with diffs when asked). */
export function renderTaskResult(
  host: string,
  result: TaskResult,
  options: { diff: boolean; color: boolean; verbose: number },
): string {
  const lines = [taskHeadline(host, result, options.color)];
  const showsMessage = result.status !== 'failed' && result.status !== 'unreachable';
  if (showsMessage && result.message && (result.status === 'skipped' || options.verbose > 0)) {
    lines.push(`    ${indentMessage(result.message)}`);
  }
  for (const w of result.warnings) lines.push(paint('magenta', `  [WARNING]: ${w}`, options.color));
  for (const change of result.changes) lines.push(renderChange(change, options));
  return lines.join('\n');
}

/** The error that stopped a host (connection refused, transaction failed), or undefined. */
export function hostErrorLine(result: HostResult, color: boolean): string | undefined {
  if (!result.error || result.status === 'ok' || result.status === 'changed') return undefined;
  if (result.status === 'not_started')
    return paint(
      'dim',
      `not started: [${result.host}] => ${indentMessage(result.error.replace(/^not started: /, ''))}`,
      color,
    );
  const style = result.status === 'failed' ? 'red' : 'magenta';
  return paint(style, `${result.status}: [${result.host}] => ${indentMessage(result.error)}`, color);
}

/** Whether the previous configuration was restored after a failed transaction, or undefined. */
export function rollbackLine(result: HostResult, color: boolean): string | undefined {
  if (result.rolledBack === true) {
    return paint(
      'yellow',
      `rolled back: [${result.host}] previous configuration restored and serving`,
      color,
    );
  }
  if (result.rolledBack === false) {
    return paint(
      'red',
      `rollback failed: [${result.host}] previous configuration NOT restored: check the host`,
      color,
    );
  }
  return undefined;
}
