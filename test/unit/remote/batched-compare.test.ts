/**
 * The transaction's compare-and-swap check (commit.sh's apim_compare) and the one stat it shares
 * with the facts program (lib.sh's apim_stat_paths), run with real sh on real files: every path of
 * the plan stated by one stat, every regular file hashed by one sha256sum, whatever the names hold.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptSource, sha256Hex } from '../../../src/remote/index.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { fileIdentity } from './fixtures.js';
import { runSh } from './traced-sh.js';

let base: string;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** lib.sh and commit.sh, then `body`, with real sh: stdout and, traced, the programs it ran. */
function run(body: string, trace = false): { out: string; execs: string[] } {
  const script = `${scriptSource('lib')}\n${scriptSource('commit')}\n${body}\n`;
  return runSh(script, trace ? { log: join(base, 'strace.log') } : {});
}

const names = {
  spaces: ' a file with  spaces .conf ',
  newline: 'new\nline.conf',
  backslash: 'back\\slash\\n.conf',
  missing: 'missing.conf',
  link: 'link.conf',
  folder: 'folder.conf',
  mode: 'mode.conf',
  gone: 'gone.conf',
};
const path = (name: keyof typeof names) => join(base, 'conf.d', names[name]);

beforeAll(() => {
  if (process.getuid?.() !== 0)
    throw new Error('these tests chown to root, as the transaction does: run them as root');
  base = mkdtempSync(join(tmpdir(), 'apim-compare-'));
  mkdirSync(join(base, 'conf.d'));
  mkdirSync(join(base, 'work'));
  for (const name of ['spaces', 'newline', 'backslash', 'mode', 'gone'] as const) {
    writeFileSync(path(name), `${name}\n`, { mode: 0o644 });
    chmodSync(path(name), 0o644);
  }
  chmodSync(path('mode'), 0o600);
  // An mtime in its second's last half millisecond, which a millisecond Date rounds up: stat's whole
  // seconds truncate it.
  utimesSync(path('spaces'), 1_700_000_000.9996, 1_700_000_000.9996);
  symlinkSync(path('spaces'), path('link'));
  mkdirSync(path('folder'));
  mkdirSync(join(base, 'logs'), { mode: 0o700 });
  chmodSync(join(base, 'logs'), 0o700);
  symlinkSync(join(base, 'logs'), join(base, 'logs-link'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('apim_stat_paths', () => {
  it('gives one line per path, in order, for odd names, links and missing paths, with one stat', () => {
    const paths = [
      path('spaces'),
      path('newline'),
      path('missing'),
      path('link'),
      path('backslash'),
      path('folder'),
    ];
    const { out, execs } = run(
      `apim_stat_paths ${paths.map(singleQuote).join(' ')}\nprintf '%s' "$APIM_STATS"`,
      true,
    );
    const lines = out.split('\n').slice(0, -1);
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      '1 file 0644',
      '1 file 0644',
      '0',
      '1 link 0777',
      '1 file 0644',
      '1 directory 0755',
    ]);
    // The file's identity after its size: device, inode, mtime and ctime (seconds), as lstat has them.
    const [dev, ino, , mtime, ctime] = fileIdentity(path('spaces')).split(' ');
    expect(mtime).toBe('1700000000');
    expect(lines[0]).toBe(`1 file 0644 root root 0 0 ${'spaces\n'.length} ${dev} ${ino} ${mtime} ${ctime}`);
    expect(execs).toEqual(['stat']);
  });
});

describe('apim_compare', () => {
  /** A plan row as transaction.ts writes it (paths base64 unless plain). */
  const row = (k: string, i: number, mode: string, expected: string, want: string, p: string) =>
    `${k} ${i} ${mode} ${mode === '-' ? '-' : 'root'} ${mode === '-' ? '-' : 'root'} ${expected} ${want} ${/^[A-Za-z0-9/._-]+$/.test(p) ? `=${p}` : b64(p)}`;
  const sha = (name: keyof typeof names) => sha256Hex(`${name}\n`);
  const other = sha256Hex('other\n');

  function compare(rows: string[]): { records: string[]; changed: string; status: string; execs: string[] } {
    const work = join(base, 'work');
    writeFileSync(join(work, 'plan'), `${rows.join('\n')}\n`);
    const { out, execs } = run(
      `WORK=${singleQuote(work)}\nif apim_compare; then s=0; else s=1; fi\necho "CHANGED=$CHANGED status=$s"`,
      true,
    );
    const lines = out.trim().split('\n');
    const last = lines.pop()!;
    const records = lines
      .filter((l) => /^@@APIM (conflict|change) /.test(l))
      .map((l) => {
        const [, key, field] = l.split(' ');
        return `${key} ${field!.startsWith('=') ? field!.slice(1) : Buffer.from(field!, 'base64').toString()}`;
      });
    const [, changed, status] = /CHANGED=(\d) status=(\d)/.exec(last)!;
    return { records, changed: changed!, status: status!, execs };
  }

  it('finds nothing to do when every file and folder is as planned, with one stat and one sha256sum', () => {
    const r = compare([
      row('D', 0, '0700', '-', '-', join(base, 'logs')),
      row('F', 0, '0644', sha('spaces'), sha('spaces'), path('spaces')),
      row('F', 1, '0644', sha('newline'), sha('newline'), path('newline')),
      row('F', 2, '0644', sha('backslash'), sha('backslash'), path('backslash')),
      row('X', 0, '-', sha('gone'), '-', path('missing')),
    ]);
    expect(r).toMatchObject({ records: [], changed: '0', status: '0' });
    // One stat and one sha256sum for all rows; a base64 per path that is not plain (script-input.ts);
    // the names sha256sum cannot list as they are (a newline, a backslash) hashed on their own.
    expect(r.execs.sort()).toEqual(
      ['stat', 'sha256sum', 'base64', 'base64', 'base64', 'sha256sum', 'cut', 'sha256sum', 'cut'].sort(),
    );
  });

  it('reports changes and conflicts per row: content, mode, links, folders, missing and retired files', () => {
    const r = compare([
      row('D', 0, '0755', '-', '-', join(base, 'logs')), // mode differs: change
      row('D', 1, '0755', '-', '-', join(base, 'logs-link')), // a link: conflict
      row('D', 2, '0755', '-', '-', path('spaces')), // a file: conflict
      row('F', 0, '0644', sha('spaces'), other, path('spaces')), // new content: change
      row('F', 1, '0644', 'absent', other, path('newline')), // appeared since the plan: conflict + change
      row('F', 2, '0644', sha('mode'), sha('mode'), path('mode')), // 0600 on the host: change
      row('F', 3, '0644', 'absent', other, path('missing')), // create: change
      row('F', 4, '0644', 'link', other, path('link')), // the link the plan saw: change
      row('F', 5, '0644', 'absent', other, path('folder')), // a folder: conflict + change
      row('F', 6, '0644', sha('backslash'), sha('backslash'), path('backslash')), // as planned
      row('X', 0, '-', sha('gone'), '-', path('gone')), // retired: change
      row('X', 1, '-', other, '-', path('mode')), // changed since: conflict + change
    ]);
    expect(r.status).toBe('1');
    expect(r.changed).toBe('1');
    expect(r.records).toEqual([
      `change ${join(base, 'logs')}`,
      `conflict ${join(base, 'logs-link')}`,
      `conflict ${path('spaces')}`,
      `change ${path('spaces')}`,
      `conflict ${path('newline')}`,
      `change ${path('newline')}`,
      `change ${path('mode')}`,
      `change ${path('missing')}`,
      `change ${path('link')}`,
      `conflict ${path('folder')}`,
      `change ${path('folder')}`,
      `change ${path('gone')}`,
      `conflict ${path('mode')}`,
      `change ${path('mode')}`,
    ]);
  });
});
