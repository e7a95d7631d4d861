import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Lines of context around each change, as `ansible --diff` and `diff -u` show. */
export const DIFF_CONTEXT_LINES = 3;

/**
 * Unified diff of a file's content. `before` null means the file is created, `after` null that it is
 * deleted; that side's header is `/dev/null`. Returns an empty string when nothing differs (an empty
 * file created shows its headers only).
 */
export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(
    before === null ? '/dev/null' : `before: ${path}`,
    after === null ? '/dev/null' : `after: ${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context: DIFF_CONTEXT_LINES, headerOptions: FILE_HEADERS_ONLY },
  );
  return patch.endsWith('\n') ? patch : `${patch}\n`;
}
