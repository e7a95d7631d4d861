/**
 * The tool's state folder (src/remote/sh/state.sh) kept with shell builtins and one awk where the
 * result is the one the commands gave: the records as `sort -u` left them (written only when they
 * changed), the run logs `ls -t | tail` removed, the lock without a clock. Real sh on real files,
 * under every shell and awk a host may have.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptSource } from '../../../src/remote/index.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { installed as has, runSh, SHELLS } from './traced-sh.js';

const AWKS = ['gawk', 'mawk', 'busybox awk'].filter(has);
const base = mkdtempSync(join(tmpdir(), 'apim-state-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** lib.sh and state.sh, then `body`; `awk`: the one named (found first, after lib.sh sets PATH). */
function state(body: string, opts: { shell?: string; awk?: string; trace?: boolean } = {}) {
  let path = '';
  if (opts.awk) {
    const bin = join(base, `bin-${opts.awk.replace(' ', '-')}`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'awk'), `#!/bin/sh\nexec ${opts.awk} "$@"\n`, { mode: 0o755 });
    path = `PATH=${singleQuote(bin)}:$PATH\n`;
  }
  const script = `${scriptSource('lib')}\n${scriptSource('state')}\n${path}${body}\n`;
  return runSh(script, {
    ...(opts.shell ? { shell: opts.shell } : {}),
    ...(opts.trace ? { log: join(base, 'strace.log') } : {}),
  });
}

describe.each(SHELLS.flatMap((shell) => AWKS.map((awk) => [shell, awk])))(
  'apim_write_records (%s, %s)',
  (shell, awk) => {
    const dir = join(base, `records-${shell}-${awk}`.replace(/ /g, '-'));
    const records = join(dir, 'records');
    const write = (managers: string, lines: string[]) =>
      state(
        `STATE=${singleQuote(dir)}\napim_write_records ${singleQuote(managers)} ${singleQuote(lines.join('\n'))}\necho "rc=$?"`,
        { shell, awk },
      ).out;

    it('keeps the lines of modules that did not run, sorted and unique in byte order', () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      // A blank line, odd spacing and a line without a newline at the end, as a hand edit leaves them.
      writeFileSync(records, `zz ${b64('/z')} 1\n\n  other\t${b64('/o')}  2\nmod ${b64('/old')} 3`);
      expect(
        write('mod', [`mod ${b64('/b')} 4`, `mod ${b64('/a')} 5 ${b64('note')}`, `mod ${b64('/b')} 4`]),
      ).toBe('rc=0\n');
      // Lines starting with blanks first; the last line of the file kept whole.
      expect(readFileSync(records, 'utf8')).toBe(
        `  other\t${b64('/o')}  2\nmod ${b64('/a')} 5 ${b64('note')}\nmod ${b64('/b')} 4\nzz ${b64('/z')} 1\n`,
      );
      expect(existsSync(`${records}.tmp`)).toBe(false);
      // Upper case before lower, `_` between them: C's order.
      expect(write('mod', ['mod b 1', 'mod B 1', 'mod _ 1', 'mod A 1'])).toBe('rc=0\n');
      expect(readFileSync(records, 'utf8')).toBe(
        `  other\t${b64('/o')}  2\nmod A 1\nmod B 1\nmod _ 1\nmod b 1\nzz ${b64('/z')} 1\n`,
      );
    });

    it('does not write records that did not change: the same file, no temporary left', () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      const lines = [`a ${b64('/a')} 1`, `b ${b64('/b')} 2 ${b64('{"n":1}')}`];
      expect(write('a b', lines)).toBe('rc=0\n');
      const before = statSync(records);
      utimesSync(records, new Date(1e12), new Date(1e12));
      expect(write('b a', [...lines].reverse())).toBe('rc=0\n');
      const after = statSync(records);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, 1e12]);
      expect(readdirSync(dir)).toEqual(['records']);
      // The same lines without the last newline are another file: written again.
      writeFileSync(records, lines.join('\n'));
      expect(write('a b', lines)).toBe('rc=0\n');
      expect(readFileSync(records, 'utf8')).toBe(`${lines.join('\n')}\n`);
      // No records yet and none to write: an empty file, as before.
      rmSync(records);
      expect(write('a', [])).toBe('rc=0\n');
      expect(readFileSync(records, 'utf8')).toBe('');
    });

    it("turns an earlier version's list into legacy records, claimed ones into the module's", () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(join(dir, 'managed-files'), '/etc/nginx/conf.d/a.conf\n/etc/ssl/b.key\nnot-absolute\n');
      expect(write('mod', [`mod ${b64('/etc/ssl/b.key')} 1`])).toBe('rc=0\n');
      expect(readFileSync(records, 'utf8')).toBe(
        `legacy ${b64('/etc/nginx/conf.d/a.conf')}\nmod ${b64('/etc/ssl/b.key')} 1\n`,
      );
      expect(existsSync(join(dir, 'managed-files'))).toBe(false);
      // A legacy record stays until a module claims it.
      expect(write('mod', [])).toBe('rc=0\n');
      expect(readFileSync(records, 'utf8')).toBe(`legacy ${b64('/etc/nginx/conf.d/a.conf')}\n`);
      expect(write('other', [`other ${b64('/etc/nginx/conf.d/a.conf')} 2`])).toBe('rc=0\n');
      expect(readFileSync(records, 'utf8')).toBe(`other ${b64('/etc/nginx/conf.d/a.conf')} 2\n`);
    });
  },
);

describe('the state folder without needless processes', () => {
  it('rewrites nothing and runs one awk when the records are unchanged; an awk and a mv when they changed', () => {
    const dir = join(base, 'records-traced');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'records'), `a ${b64('/a')} 1\n`);
    const write = (line: string) =>
      state(`STATE=${singleQuote(dir)}\napim_write_records a ${singleQuote(line)}`, { trace: true }).execs;
    expect(write(`a ${b64('/a')} 1`)).toEqual(['awk']);
    expect(write(`a ${b64('/a')} 2`)).toEqual(['awk', 'mv']);
    expect(readFileSync(join(dir, 'records'), 'utf8')).toBe(`a ${b64('/a')} 2\n`);
  });

  it('takes the lock without asking the time', () => {
    const dir = join(base, 'lock');
    mkdirSync(dir, { recursive: true });
    const { out, execs } = state(`STATE=${singleQuote(dir)}\napim_lock 5 && apim_unlock`, { trace: true });
    expect(out).toBe('@@APIM lock_acquired 1\n');
    expect(execs).toEqual(has('flock') ? ['flock'] : []);
  });
});

describe.each(SHELLS)('run logs kept (apim_tidy_runs, %s)', (shell) => {
  const dir = join(base, `runs-${shell.replace(' ', '-')}`);
  const runs = join(dir, 'runs');
  const KEEP = 6;
  /** Logs named as run ids are (rollback's in local time), with mtimes that do not follow the names. */
  const make = (count: number) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(runs, { recursive: true });
    const names = [
      '20261203101500-a1b2c3.log',
      'rollback-20261203111500-77.log',
      '20261203090000-ffffff.log',
      'bench-1-2.log',
      '20261201000000-000000.log',
      'rollback-20261130000000-9.log',
      '20261203101500-000001.log',
      'run-old-1.log',
    ].slice(0, count);
    const t = Date.now() / 1000 - 86_400;
    // The two oldest have the same mtime: ls -t lists them by name.
    const ages = [5, 3, 7, 1, 0, 0, 6, 2];
    names.forEach((n, i) => {
      writeFileSync(join(runs, n), '');
      utimesSync(join(runs, n), t + ages[i]!, t + ages[i]!);
    });
  };
  const lsKept = () => {
    const r = spawnSync('sh', ['-c', `LC_ALL=C ls -1t ${singleQuote(runs)} | head -n ${KEEP}`], {
      encoding: 'utf8',
    });
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  const tidy = (trace = false) =>
    state(`STATE=${singleQuote(dir)} APIM_RUN_LOGS_KEEP=${KEEP}\napim_tidy_runs\necho "rc=$?"`, {
      shell,
      trace,
    });

  it('removes the one log too many that ls -t | tail would, with only rm', () => {
    make(KEEP + 1);
    const expected = lsKept();
    const { out, execs } = tidy(true);
    expect(out).toBe('rc=0\n');
    expect(execs).toEqual(['rm']);
    expect(readdirSync(runs).sort()).toEqual(expected);
    expect(expected).not.toContain('rollback-20261130000000-9.log');
  });

  it('leaves as many as it keeps alone, running nothing', () => {
    make(KEEP);
    const { out, execs } = tidy(true);
    expect(out).toBe('rc=0\n');
    expect(execs).toEqual([]);
    expect(readdirSync(runs)).toHaveLength(KEEP);
  });

  it('sorts more than one too many with ls -t', () => {
    make(KEEP + 2);
    const expected = lsKept();
    expect(tidy().out).toBe('rc=0\n');
    expect(readdirSync(runs).sort()).toEqual(expected);
  });
});
