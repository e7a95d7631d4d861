import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { compactScript, scriptSource } from '../../../src/remote/index.js';

const SH_DIR = join(import.meta.dirname, '../../../src/remote/sh');
const files = readdirSync(SH_DIR).filter((f) => f.endsWith('.sh'));

/**
 * The script as bash's parser understands it, without running any of it: the whole text becomes
 * a function's body and `declare -f` prints that body back in bash's canonical form (comments and
 * layout gone; quoted strings and here-documents exactly as written).
 */
function parsed(script: string): string {
  return execFileSync(
    'bash',
    ['-c', 'eval "apim_whole() {\n$1\n}" && declare -f apim_whole', 'bash', script],
    {
      encoding: 'utf8',
    },
  );
}

describe('compactScript', () => {
  it('finds the shipped scripts', () => {
    expect(files).toEqual(expect.arrayContaining(['lib.sh', 'facts.sh', 'transaction.sh']));
  });

  it.each(files)('%s means the same to bash once compacted, and is shorter', (file) => {
    const text = readFileSync(join(SH_DIR, file), 'utf8');
    const compact = compactScript(text);
    expect(parsed(compact)).toBe(parsed(text));
    expect(compact.length).toBeLessThan(text.length * 0.9);
    expect(scriptSource(file.replace(/\.sh$/, '') as Parameters<typeof scriptSource>[0])).toBe(compact);
  });

  it('keeps here-document bodies, the test hook marker, and code lines', () => {
    const text = [
      '  # a comment',
      '',
      'f() {',
      '  cat <<EOF',
      '  # kept: here-document data',
      '',
      'EOF',
      "  cat <<-'T'",
      '\t  # kept too',
      '\tT',
      '    # apim-test-hook: after-snapshot',
      '  echo "#not a comment" # trailing',
      '}',
    ].join('\n');
    expect(compactScript(text)).toBe(
      [
        'f() {',
        'cat <<EOF',
        '  # kept: here-document data',
        '',
        'EOF',
        "cat <<-'T'",
        '\t  # kept too',
        '\tT',
        '# apim-test-hook: after-snapshot',
        'echo "#not a comment" # trailing',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps the lines of a quoted string that spans lines as they are', () => {
    const text = ["  x='a", '  # b', "  c'", '  # gone', '  y="1', '    2" # z'].join('\n');
    expect(compactScript(text)).toBe(["x='a", '  # b', "  c'", 'y="1', '    2" # z', ''].join('\n'));
    expect(parsed(compactScript(text))).toBe(parsed(text));
  });

  it('the check tells a changed meaning apart', () => {
    expect(parsed("x='a\n b'\n")).not.toBe(parsed("x='a\nb'\n"));
  });
});
