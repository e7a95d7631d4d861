import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/engine/unified-diff.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('unifiedDiff', () => {
  it('shows an update with 3 lines of context and before/after headers', () => {
    const before = lines(12);
    const after = before.replace('line 6\n', 'line six\n');
    expect(unifiedDiff('/etc/nginx/conf.d/apim.conf', before, after)).toBe(
      [
        '--- before: /etc/nginx/conf.d/apim.conf',
        '+++ after: /etc/nginx/conf.d/apim.conf',
        '@@ -3,7 +3,7 @@',
        ' line 3',
        ' line 4',
        ' line 5',
        '-line 6',
        '+line six',
        ' line 7',
        ' line 8',
        ' line 9',
        '',
      ].join('\n'),
    );
  });

  it('splits distant changes into separate hunks', () => {
    const before = lines(20);
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', 'line eighteen\n');
    const hunks = unifiedDiff('/f', before, after)
      .split('\n')
      .filter((l) => l.startsWith('@@'));
    expect(hunks).toEqual(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@']);
  });

  it('shows a created file against /dev/null', () => {
    expect(unifiedDiff('/etc/x.conf', null, 'a\nb\n')).toBe(
      '--- /dev/null\n+++ after: /etc/x.conf\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    );
  });

  it('shows a deleted file against /dev/null', () => {
    expect(unifiedDiff('/etc/x.conf', 'a\nb\n', null)).toBe(
      '--- before: /etc/x.conf\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n',
    );
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff('/f', 'same\n', 'same\n')).toBe('');
    expect(unifiedDiff('/f', null, null)).toBe('');
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('/f', 'a\nb', 'a\nc')).toContain('\\ No newline at end of file');
  });
});
