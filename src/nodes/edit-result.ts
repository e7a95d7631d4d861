import type { SettingValue } from './types.js';

/** What an editor did to one setting. */
export interface SettingChange {
  /** How the setting's place is shown, e.g. `[server] hostname`. */
  label: string;
  /** The value the file held (as written), undefined when the key was absent. */
  before?: string;
  after: SettingValue;
}

/** A setting the file gives no place for (an optional element absent from this file). */
export interface SettingSkipped {
  label: string;
  why: string;
}

export interface EditResult {
  text: string;
  changes: SettingChange[];
  skipped: SettingSkipped[];
}

/**
 * A file the editor cannot edit safely (it does not parse, or a value has another shape than the
 * setting). The message names the file and what to do; nothing is written.
 */
export class NodeFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'NodeFileError';
  }
}

/** The line-ending style of a file (CRLF files stay CRLF). */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offset just after the end of the line holding `offset` (or the text's end). */
export function lineEndAfter(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/** The whitespace a line starts with, for the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(start, offset));
  return m ? m[0] : '';
}

export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** What one setting did to a file's text. */
export interface StepResult {
  text: string;
  change?: SettingChange;
  skipped?: SettingSkipped;
}

/** Applies settings one after the other (each step sees the previous one's text), collecting results. */
export function applyEach<S>(
  text: string,
  settings: S[],
  step: (text: string, s: S, eol: string) => StepResult,
): EditResult {
  const eol = eolOf(text);
  const changes: SettingChange[] = [];
  const skipped: SettingSkipped[] = [];
  let out = text;
  for (const s of settings) {
    const r = step(out, s, eol);
    out = r.text;
    if (r.change) changes.push(r.change);
    if (r.skipped) skipped.push(r.skipped);
  }
  return { text: out, changes, skipped };
}
