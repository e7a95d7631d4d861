import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/input/diagnostics.js';
import { formatDiagnostics, printDiagnostics } from '../../../src/report/diagnostics-printer.js';
import { captureStream } from './fixtures.js';

function diag(partial: Partial<Diagnostic>): Diagnostic {
  return {
    file: 'inv.yml',
    line: 1,
    column: 1,
    key: '',
    message: 'm',
    fix: 'f',
    severity: 'error',
    ...partial,
  };
}

describe('printDiagnostics', () => {
  it('groups by file, errors before warnings, and ends with a count line', () => {
    const out = captureStream();
    printDiagnostics(
      [
        diag({ line: 3, column: 5, severity: 'warning', message: 'hsts is off', fix: 'set apim_hsts: true' }),
        diag({
          file: 'play.yml',
          line: 0,
          column: 0,
          message: 'cannot read file (ENOENT)',
          fix: 'check the path',
        }),
        diag({
          line: 9,
          column: 7,
          key: 'all.hosts.lb1.ansible_port',
          message: 'must be a number',
          fix: 'use 22',
        }),
        diag({ line: 2, column: 1, message: 'unknown key', fix: 'remove it' }),
      ],
      out,
      false,
    );
    expect(out.text()).toBe(
      [
        'inv.yml',
        '  2:1     error   unknown key',
        '                  fix: remove it',
        '  9:7     error   must be a number (all.hosts.lb1.ansible_port)',
        '                  fix: use 22',
        '  3:5     warning hsts is off',
        '                  fix: set apim_hsts: true',
        '',
        'play.yml',
        '  -       error   cannot read file (ENOENT)',
        '                  fix: check the path',
        '',
        '3 errors, 1 warning in 2 files',
        '',
      ].join('\n'),
    );
  });

  it('uses singular words and says when there is nothing to report', () => {
    expect(formatDiagnostics([diag({}), diag({ severity: 'warning' })], false)).toContain(
      '1 error, 1 warning in 1 file',
    );
    expect(formatDiagnostics([], false)).toBe('no problems found\n');
  });
});
