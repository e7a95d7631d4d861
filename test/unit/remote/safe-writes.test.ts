/**
 * The remote writer (src/remote/sh/lib.sh) on its own, run as root with real sh against a folder
 * an unprivileged local user (nobody) can write: the case of a web root filled by `copy`. Neither a
 * symbolic link planted at the destination nor links swapped into the folder while files are being
 * written may make root write, chmod or chown anything outside the destination.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptSource } from '../../../src/remote/index.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { runSh, SHELLS } from './traced-sh.js';

const NOBODY = 65534;
let base: string;
let webRoot: string;
let secretDir: string;
let secret: string;

/** Runs lib.sh's functions followed by `body`, as root, with real sh; returns the exit code. */
function lib(body: string): number {
  return (
    spawnSync('sh', ['-s'], { input: `${scriptSource('lib')}\n${body}\n`, encoding: 'utf8' }).status ?? -1
  );
}

const putFile = (src: string, dest: string, mode: string, owner: string, group: string) =>
  `apim_put_file ${[src, dest, mode, owner, group].map(singleQuote).join(' ')}`;

function secretState(): string {
  const st = statSync(secret);
  return `${readFileSync(secret, 'utf8')} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${readdirSync(secretDir).join(',')}`;
}

beforeAll(() => {
  if (process.getuid?.() !== 0)
    throw new Error('these tests write as root, as the transaction does: run them as root');
  base = mkdtempSync(join(tmpdir(), 'apim-safe-writes-'));
  chmodSync(base, 0o755);
  webRoot = join(base, 'www');
  mkdirSync(webRoot, { mode: 0o755 });
  chownSync(webRoot, NOBODY, NOBODY);
  secretDir = join(base, 'secret');
  mkdirSync(secretDir, { mode: 0o700 });
  secret = join(secretDir, 'shadow');
  writeFileSync(secret, 'root only\n', { mode: 0o600 });
  writeFileSync(join(base, 'content'), 'page\n');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('apim_put_file', () => {
  it('writes the file with its mode and owner, atomically, leaving no temporary behind', () => {
    const dest = join(webRoot, 'index.html');
    expect(lib(putFile(join(base, 'content'), dest, '0640', 'nobody', 'nogroup'))).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('page\n');
    const st = statSync(dest);
    expect([(st.mode & 0o7777).toString(8), st.uid, st.gid]).toEqual(['640', NOBODY, NOBODY]);
    expect(readdirSync(webRoot)).toEqual(['index.html']);
  });

  it('replaces a symbolic link at the destination instead of writing through it', () => {
    const dest = join(webRoot, 'planted.html');
    symlinkSync(secret, dest);
    const before = secretState();
    expect(lib(putFile(join(base, 'content'), dest, '0666', 'nobody', 'nogroup'))).toBe(0);
    expect(lstatSync(dest).isSymbolicLink()).toBe(false);
    expect(readFileSync(dest, 'utf8')).toBe('page\n');
    expect(secretState()).toBe(before);
  });

  it('refuses a folder at the destination (mv -T), leaving it alone', () => {
    const dest = join(webRoot, 'a-folder');
    mkdirSync(dest);
    expect(lib(putFile(join(base, 'content'), dest, '0644', 'root', 'root'))).not.toBe(0);
    expect(statSync(dest).isDirectory()).toBe(true);
  });

  it('never follows links a local user swaps into the folder while files are written', async () => {
    const before = secretState();
    const stop = join(base, 'stop');
    // The attacker (nobody, who may write the web root) replaces every temporary entry the writer
    // makes, and the destination itself, with links to the root-only file and its folder.
    const attacker = [
      `while [ ! -e ${singleQuote(stop)} ]; do`,
      `  for e in ${singleQuote(webRoot)}/.apim-*; do`,
      '    case $e in *.moved | *\\*) continue ;; esac',
      '    mv -f "$e" "$e.moved" 2>/dev/null && ln -s ' + singleQuote(secretDir) + ' "$e" 2>/dev/null',
      '  done',
      `  ln -sfn ${singleQuote(secret)} ${singleQuote(join(webRoot, 'raced.html'))} 2>/dev/null`,
      'done',
    ].join('\n');
    const racer = spawn('runuser', ['-u', 'nobody', '--', 'sh', '-c', attacker], { stdio: 'ignore' });
    try {
      const writes = Array.from({ length: 40 }, () =>
        putFile(join(base, 'content'), join(webRoot, 'raced.html'), '0666', 'nobody', 'nogroup'),
      );
      lib(writes.map((w) => `${w} || :`).join('\n'));
    } finally {
      writeFileSync(stop, '');
      await new Promise((resolve) => racer.on('exit', resolve));
    }
    // Whatever the race did, root wrote, chmodded and chowned nothing outside the web root.
    expect(secretState()).toBe(before);
    // And without an attacker the same write goes through.
    rmSync(join(webRoot, 'raced.html'), { force: true });
    expect(lib(putFile(join(base, 'content'), join(webRoot, 'raced.html'), '0644', 'root', 'root'))).toBe(0);
    expect(readFileSync(join(webRoot, 'raced.html'), 'utf8')).toBe('page\n');
  });
});

describe('apim_put_files (the files of a plan, folder by folder)', () => {
  const putFiles = (...files: [string, string, string, string, string][]) =>
    `apim_put_files ${files.flat().map(singleQuote).join(' ')}`;
  const modeOf = (p: string) => (statSync(p).mode & 0o7777).toString(8);

  it('writes every file with its mode and owner, umask-made, chmodded or chowned, and leaves no temporary', () => {
    const tls = join(base, 'files', 'tls');
    const conf = join(base, 'files', 'conf');
    mkdirSync(tls, { recursive: true });
    const content = join(base, 'content');
    const body = putFiles(
      [content, join(conf, 'site.conf'), '0644', 'root', 'root'],
      [content, join(tls, 'lb.crt'), '0644', 'root', 'root'],
      [content, join(tls, 'lb.key'), '0600', 'root', 'root'],
      [content, join(conf, 'run.sh'), '4755', 'nobody', 'nogroup'],
      [content, join(tls, 'shared.pem'), '0640', '0', 'nogroup'],
    );
    expect(lib(body)).toBe(0);
    expect(readdirSync(tls).sort()).toEqual(['lb.crt', 'lb.key', 'shared.pem']);
    expect(readdirSync(conf).sort()).toEqual(['run.sh', 'site.conf']);
    expect([
      modeOf(join(tls, 'lb.key')),
      modeOf(join(tls, 'lb.crt')),
      modeOf(join(conf, 'site.conf')),
    ]).toEqual(['600', '644', '644']);
    // The set-id bit survives the chown: the chmod comes after it.
    expect([modeOf(join(conf, 'run.sh')), statSync(join(conf, 'run.sh')).uid]).toEqual(['4755', NOBODY]);
    expect([
      modeOf(join(tls, 'shared.pem')),
      statSync(join(tls, 'shared.pem')).uid,
      statSync(join(tls, 'shared.pem')).gid,
    ]).toEqual(['640', 0, NOBODY]);
    expect(readFileSync(join(tls, 'lb.key'), 'utf8')).toBe('page\n');
  });

  it('fails when a folder stands at one of the names, leaving it and no temporary behind', () => {
    const dir = join(base, 'files', 'blocked');
    mkdirSync(join(dir, 'lb.key'), { recursive: true });
    const content = join(base, 'content');
    const body = putFiles(
      [content, join(dir, 'lb.crt'), '0644', 'root', 'root'],
      [content, join(dir, 'lb.key'), '0600', 'root', 'root'],
    );
    expect(lib(body)).not.toBe(0);
    expect(statSync(join(dir, 'lb.key')).isDirectory()).toBe(true);
    expect(readdirSync(dir).filter((e) => e.startsWith('.apim-tmp'))).toEqual([]);
  });

  it('refuses a private folder that is not empty when it is entered, writing nothing', () => {
    const dir = join(base, 'files', 'planted');
    mkdirSync(dir, { recursive: true });
    // Whatever appears in the private folder before it is checked (here a link to the root-only file).
    const body = [
      `apim_private_dir() { d=$(mktemp -d "$1/.apim-tmp.XXXXXXXXXX") && ln -s ${singleQuote(secret)} "$d/lb.key" && printf '%s\\n' "$d"; }`,
      putFiles([join(base, 'content'), join(dir, 'lb.key'), '0666', 'nobody', 'nogroup']),
    ].join('\n');
    const before = secretState();
    expect(lib(body)).not.toBe(0);
    expect(secretState()).toBe(before);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('apim_umask_for: the umask for modes a file can be created with, none for the others', () => {
    const out = execFileSync('sh', ['-s'], {
      input: `${scriptSource('lib')}\nfor m in 0644 0600 0640 0000 644 0755 4644 0601; do if apim_umask_for $m; then echo "$m $APIM_UMASK"; else echo "$m -"; fi; done\n`,
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual([
      '0644 133',
      '0600 177',
      '0640 137',
      '0000 777',
      '644 133',
      '0755 -',
      '4644 -',
      '0601 -',
    ]);
  });
});

describe('apim_set_attrs and apim_read_file', () => {
  it('change and read the file at the path, never a link target', () => {
    const link = join(webRoot, 'link-to-secret');
    symlinkSync(secret, link);
    const before = secretState();
    expect(lib(`apim_set_attrs ${singleQuote(link)} 0666 nobody nogroup`)).not.toBe(0);
    expect(lib(`apim_read_file ${singleQuote(link)} >/dev/null`)).not.toBe(0);
    expect(secretState()).toBe(before);
    const file = join(webRoot, 'plain');
    writeFileSync(file, 'x');
    expect(lib(`apim_set_attrs ${singleQuote(file)} 0600 nobody -`)).toBe(0);
    expect([(statSync(file).mode & 0o777).toString(8), statSync(file).uid]).toEqual(['600', NOBODY]);
    expect(
      execFileSync('sh', ['-s'], {
        input: `${scriptSource('lib')}\napim_read_file ${singleQuote(file)}\n`,
      }).toString(),
    ).toBe('x');
  });

  it('apim_read_file takes the identity a stat found (APIM_READ_ID), else checks the path again', () => {
    const file = join(webRoot, 'stated');
    writeFileSync(file, 'y');
    const id = `${statSync(file).dev}:${statSync(file).ino}`;
    const read = (readId: string) =>
      execFileSync('sh', ['-s'], {
        input: `${scriptSource('lib')}\nAPIM_READ_ID=${singleQuote(readId)} apim_read_file ${singleQuote(file)}\n`,
      }).toString();
    expect(read(id)).toBe('y');
    // A stale identity (the file replaced since it was stated): the file now at the path is read.
    expect(read('0:0')).toBe('y');
    const link = join(webRoot, 'stated-link');
    symlinkSync(secret, link);
    const secretId = `${statSync(secret).dev}:${statSync(secret).ino}`;
    expect(
      lib(`APIM_READ_ID=${singleQuote(secretId)} apim_read_file ${singleQuote(link)} >/dev/null`),
    ).not.toBe(0);
  });

  it('apim_normal_path refuses every path that could climb out of a folder', () => {
    for (const bad of ['relative', '/a/../b', '/a/./b', '/a//b', '/a/..', '/a/.'])
      expect(lib(`apim_normal_path ${singleQuote(bad)}`), bad).not.toBe(0);
    expect(lib(`apim_normal_path '/etc/nginx/conf.d/apim.conf'`)).toBe(0);
  });
});

describe.each(SHELLS)('apim_put_content (%s)', (shell) => {
  it("names the cause of a failed write of a variable's value, not dash's bare I/O error", () => {
    const program = [
      scriptSource('lib'),
      'V=content',
      'apim_put_content @V >/dev/full 2>"$ERR"; echo "full=$?"',
      'apim_put_content @V; echo " ok=$?"',
    ].join('\n');
    const err = join(base, `put-content-${shell.replace(' ', '-')}.err`);
    const { out } = runSh(program, { shell, env: { ...process.env, ERR: err } });
    expect(out).toBe('full=1\ncontent ok=0\n');
    expect(readFileSync(err, 'utf8')).toContain('No space left on device');
  });
});
