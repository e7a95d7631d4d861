// The remote scripts encode and decode many values with one awk (src/remote/sh/lib.sh): the result
// must be exactly base64, with every awk a host may have (mawk on Debian, gawk, busybox), for text,
// paths, UTF-8 and every byte value a path or a file's text can hold.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const LIB = readFileSync(new URL('../../../src/remote/sh/lib.sh', import.meta.url), 'utf8');

const AWKS = (['mawk', 'gawk', 'busybox awk'] as const).filter((awk) => {
  const found = spawnSync('sh', ['-c', `command -v ${awk.split(' ')[0]}`]).status === 0;
  if (!found && awk !== 'busybox awk')
    throw new Error(`${awk} is missing: apt-get install ${awk} (a remote host may use it)`);
  return found;
});

/** Runs `body` after lib.sh with `awk` being the given implementation. */
function withAwk(awk: string, body: string, input?: string): string {
  return execFileSync('dash', ['-c', `${LIB}\nawk() { ${awk} "$@"; }\n${body}`], {
    encoding: 'latin1',
    ...(input !== undefined ? { input: Buffer.from(input, 'latin1') } : {}),
  });
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
/** Values as the scripts hold them: from `$(...)`, so without trailing newlines. */
const VALUES: Buffer[] = [
  '',
  'a',
  'ab',
  'abc',
  '/etc/nginx/conf.d/apim.conf',
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian',
  "nginx version: nginx/1.22.1\nconfigure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx",
  '/srv/ünï cödé/日本/file $(x) `y` \\ back \'q\' "dq"',
].map(utf8);
// Every byte value but NUL (which no shell value holds), newline inside.
VALUES.push(
  Buffer.from(
    Array.from({ length: 255 }, (_, i) => i + 1)
      .filter((b) => b !== 10)
      .concat([10, 65]),
  ),
);

const dir = mkdtempSync(join(tmpdir(), 'apim-awk-b64-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = VALUES.map((v, i) => {
  const file = join(dir, `v${i}`);
  writeFileSync(file, v);
  return file;
});

describe.each(AWKS)('base64 in awk (%s)', (awk) => {
  it('encodes values exactly as base64 does, one record each', () => {
    const args = files.map((f, i) => `k${i} "$(cat '${f}')"`).join(' ');
    const out = withAwk(awk, `apim_emit_b64_many ${args}`);
    const expected = VALUES.map((v, i) => `@@APIM k${i} ${v.toString('base64')}`);
    expect(out.split('\n').filter(Boolean)).toEqual(expected);
  });

  it('decodes fields (base64, `=path`, `-`) one a line', () => {
    const paths = VALUES.slice(1).filter((v) => !v.includes(10));
    const fields = ['-', '=/etc/plain/path', ...paths.map((p) => p.toString('base64'))];
    const out = withAwk(awk, 'apim_fields_decoded', fields.join('\n') + '\n');
    expect(Buffer.from(out, 'latin1')).toEqual(
      Buffer.concat([utf8('\n/etc/plain/path\n'), ...paths.map((p) => Buffer.concat([p, utf8('\n')]))]),
    );
  });
});

describe('the awks', () => {
  it('include the ones Debian hosts have', () => {
    expect(AWKS).toEqual(expect.arrayContaining(['mawk', 'gawk']));
  });
});
