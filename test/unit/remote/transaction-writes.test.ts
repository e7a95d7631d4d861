/**
 * A first converge's writes by the real transaction program (as root, real sh, no nginx: neither
 * validation nor reload): new folders made with their mode by mkdir, files written folder by folder
 * with their mode and owner, and only the processes that takes (traced).
 */
import {
  chmodSync,
  chownSync,
  existsSync,
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
import {
  parseTransactionResult,
  sha256Hex,
  transactionScript,
  type TransactionSpec,
} from '../../../src/remote/index.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { baseTransaction } from './fixtures.js';
import { runSh } from './traced-sh.js';

const NOBODY = 65534;
let base: string;

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the transaction writes as root: run these tests as root');
  base = mkdtempSync(join(tmpdir(), 'apim-txn-writes-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function spec(
  root: string,
  files: TransactionSpec['files'],
  directories: TransactionSpec['directories'],
): TransactionSpec {
  const nginx = join(root, 'nginx');
  // The fixture's settings, this folder's paths and plan, no records, no reload, no validation.
  return {
    ...baseTransaction,
    stateDir: join(root, 'state'),
    confPrefix: nginx,
    confPath: join(nginx, 'nginx.conf'),
    nginxBinary: join(root, 'no-nginx'),
    serviceManager: 'none',
    files,
    directories,
    deletes: [],
    records: { managers: [], files: [] },
    reload: false,
    validate: false,
  };
}
const modeOf = (p: string) => (statSync(p).mode & 0o7777).toString(8);
const owner = (p: string) => `${statSync(p).uid}:${statSync(p).gid}`;

describe('a first converge writes', () => {
  it('makes new folders with their mode, files with theirs, chmod and chown only where mkdir and the umask cannot', () => {
    const root = join(base, 'plain');
    const nginx = join(root, 'nginx');
    mkdirSync(join(nginx, 'conf.d'), { recursive: true });
    mkdirSync(join(nginx, 'old'), { mode: 0o755 });
    chmodSync(join(nginx, 'old'), 0o755);
    const file = (path: string, mode: string, o = 'root', g = 'root') => ({
      path,
      content: Buffer.from(`${path}\n`),
      mode,
      owner: o,
      group: g,
      expected: 'absent',
    });
    const tls = join(nginx, 'ssl', 'apim');
    const s = spec(
      root,
      [
        file(join(nginx, 'conf.d', 'apim.conf'), '0644'),
        file(join(tls, 'lb.crt'), '0644'),
        file(join(tls, 'lb.key'), '0600'),
        file(join(nginx, 'www', 'index.html'), '0640', 'nobody', 'nogroup'),
      ],
      [
        { path: tls, mode: '0700', owner: 'root', group: 'root' },
        { path: join(nginx, 'log', 'apim'), mode: '0755', owner: 'root', group: 'root' },
        { path: join(nginx, 'www'), mode: '0750', owner: 'nobody', group: 'nogroup' },
        { path: join(nginx, 'old'), mode: '0750', owner: 'root', group: 'root' },
      ],
    );
    const r = runSh(transactionScript(s), { log: join(base, 'strace-plain') });
    expect(parseTransactionResult(r.out, '').status).toBe('committed');
    expect([modeOf(tls), owner(tls)]).toEqual(['700', '0:0']);
    expect(modeOf(join(nginx, 'log', 'apim'))).toBe('755');
    expect([modeOf(join(nginx, 'www')), owner(join(nginx, 'www'))]).toEqual(['750', `${NOBODY}:${NOBODY}`]);
    expect(modeOf(join(nginx, 'old'))).toBe('750');
    expect([modeOf(join(tls, 'lb.key')), owner(join(tls, 'lb.key'))]).toEqual(['600', '0:0']);
    expect(modeOf(join(tls, 'lb.crt'))).toBe('644');
    expect(modeOf(join(nginx, 'conf.d', 'apim.conf'))).toBe('644');
    const page = join(nginx, 'www', 'index.html');
    expect([modeOf(page), owner(page), readFileSync(page, 'utf8')]).toEqual([
      '640',
      `${NOBODY}:${NOBODY}`,
      `${page}\n`,
    ]);
    for (const d of [tls, join(nginx, 'conf.d'), join(nginx, 'www')])
      expect(readdirSync(d).filter((e) => e.startsWith('.apim-tmp'))).toEqual([]);
    // chmod: the existing folder and the new one nobody owns (through themselves); chown: those
    // and the file nobody owns. A mktemp per folder written; text written by the shell's printf:
    // no base64, no cat.
    const count = (name: string) => r.execs.filter((e) => e === name).length;
    expect([count('chmod'), count('chown'), count('mktemp'), count('cat'), count('base64')]).toEqual([
      2, 3, 3, 0, 0,
    ]);
  });

  it('writes text and other bytes in one folder exactly, from their variables and decoded files', () => {
    const root = join(base, 'mixed');
    const nginx = join(root, 'nginx');
    mkdirSync(join(nginx, 'conf.d'), { recursive: true });
    const contents = [
      Buffer.from("it's \u00e9t\u00e9: $HOME `id` \\ '' \"\n\n\n"),
      Buffer.from([0x00, 0xff, 0x0a, 0xfe, 0x27]),
      Buffer.alloc(0),
      Buffer.from('no newline at the end'),
      Buffer.from('\n-----BEGIN X-----\r\n'),
    ];
    const paths = contents.map((_, i) => join(nginx, 'conf.d', `f${i}`));
    const s = spec(
      root,
      contents.map((content, i) => ({
        path: paths[i]!,
        content,
        mode: i === 1 ? '0600' : '0644',
        owner: 'root',
        group: 'root',
        expected: 'absent',
      })),
      [],
    );
    const r = runSh(transactionScript(s), { log: join(base, 'strace-mixed') });
    expect(parseTransactionResult(r.out, '').status).toBe('committed');
    expect(paths.map((p) => readFileSync(p))).toEqual(contents);
    expect(paths.map(modeOf)).toEqual(['644', '600', '644', '644', '644']);
    // One folder: one mktemp; only the bytes that are not text take a base64 and a cat.
    const count = (name: string) => r.execs.filter((e) => e === name).length;
    expect([count('mktemp'), count('base64'), count('cat')]).toEqual([1, 1, 1]);
    expect(readdirSync(join(nginx, 'conf.d')).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
  });

  it('makes new folders of one mode next to each other in the plan with one mkdir, in its order', () => {
    const root = join(base, 'runs');
    const nginx = join(root, 'nginx');
    mkdirSync(nginx, { recursive: true });
    const d = (path: string, mode: string, o = 'root') => ({
      path: join(nginx, path),
      mode,
      owner: o,
      group: o === 'root' ? 'root' : 'nogroup',
    });
    const dirs = [
      d('log', '0750'),
      d('log/a', '0755'),
      d('log/a/http', '0755'),
      d('log/b', '0755'),
      d('ssl', '0700'),
      d('www', '0750', 'nobody'),
      d('www/x', '0755'),
      d('log/c', '0755'),
    ];
    const r = runSh(transactionScript(spec(root, [], dirs)), { log: join(base, 'strace-runs') });
    expect(parseTransactionResult(r.out, '').status).toBe('committed');
    expect(dirs.map((x) => [modeOf(x.path), owner(x.path)])).toEqual([
      ['750', '0:0'],
      ['755', '0:0'],
      ['755', '0:0'],
      ['755', '0:0'],
      ['700', '0:0'],
      ['750', `${NOBODY}:${NOBODY}`],
      ['755', '0:0'],
      ['755', '0:0'],
    ]);
    // The state folders (2), then one mkdir per run: log; log/a, log/a/http, log/b; ssl; www/x,
    // log/c (which made www on the way). www is nobody's: its mode and owner set through itself.
    const count = (name: string) => r.execs.filter((e) => e === name).length;
    expect([count('mkdir'), count('chmod'), count('chown')]).toEqual([2 + 4, 1, 1]);
  });

  it('puts every folder back when the live nginx -t refuses what was swapped in', () => {
    const root = join(base, 'refused');
    const nginx = join(root, 'nginx');
    const tls = join(nginx, 'ssl', 'apim');
    mkdirSync(join(nginx, 'conf.d'), { recursive: true });
    const conf = join(nginx, 'conf.d', 'apim.conf');
    writeFileSync(conf, 'old\n');
    // An nginx that accepts the candidate (its prefix is the stage) and refuses the live tree.
    const fake = join(root, 'fake-nginx');
    writeFileSync(
      fake,
      '#!/bin/sh\ncase "$*" in */stage/*) exit 0 ;; esac\necho "[emerg] refused" >&2\nexit 1\n',
      {
        mode: 0o755,
      },
    );
    const content = (path: string) => Buffer.from(`new ${path}\n`);
    const file = (path: string, expected: string) => ({
      path,
      content: content(path),
      mode: '0644',
      owner: 'root',
      group: 'root',
      expected,
    });
    const s: TransactionSpec = {
      ...spec(
        root,
        [
          file(conf, sha256Hex(Buffer.from('old\n'))),
          file(join(nginx, 'conf.d', 'other.conf'), 'absent'),
          file(join(tls, 'lb.crt'), 'absent'),
          file(join(tls, 'lb.key'), 'absent'),
        ],
        [{ path: tls, mode: '0700', owner: 'root', group: 'root' }],
      ),
      nginxBinary: fake,
      validate: true,
    };
    const r = runSh(transactionScript(s));
    const result = parseTransactionResult(r.out, '');
    expect([result.status, result.rolledBack]).toEqual(['validate_failed', true]);
    expect(readFileSync(conf, 'utf8')).toBe('old\n');
    expect(readdirSync(join(nginx, 'conf.d'))).toEqual(['apim.conf']);
    // The planned folder goes (its parent, made on the way by mkdir -p, is not in the plan).
    expect(existsSync(tls)).toBe(false);
  });

  it('sets the owner of a new folder whose setgid parent gave it another group', () => {
    const root = join(base, 'setgid');
    const parent = join(root, 'nginx', 'shared');
    mkdirSync(parent, { recursive: true });
    // A group that is not root's: a folder made in it inherits it.
    chownSync(parent, 0, NOBODY);
    chmodSync(parent, 0o2775);
    const s = spec(root, [], [{ path: join(parent, 'tls'), mode: '0750', owner: 'root', group: 'root' }]);
    const r = runSh(transactionScript(s));
    expect(parseTransactionResult(r.out, '').status).toBe('committed');
    expect(owner(join(parent, 'tls'))).toBe('0:0');
    expect(modeOf(join(parent, 'tls')).slice(-3)).toBe('750');
  });
});

describe('the candidate copy nginx -t is run on', () => {
  /**
   * A live tree with a link into itself, the plan's file, and an nginx that, asked to test the
   * copy (-p), writes down what it finds there (and in the live folder the file goes to).
   */
  function stage(confdIsLink: boolean) {
    const root = join(base, confdIsLink ? 'stage-linked' : 'stage-plain');
    const nginx = join(root, 'nginx');
    mkdirSync(join(nginx, 'sites-available'), { recursive: true });
    mkdirSync(join(nginx, 'sites-enabled'));
    writeFileSync(join(nginx, 'sites-available', 'default'), `root ${nginx}/html;\n`);
    symlinkSync(join(nginx, 'sites-available', 'default'), join(nginx, 'sites-enabled', 'default'));
    writeFileSync(join(nginx, 'nginx.conf'), `include ${nginx}/conf.d/*.conf;\n`);
    const confd = join(nginx, 'conf.d');
    if (confdIsLink) {
      mkdirSync(join(nginx, 'real-conf.d'));
      symlinkSync(join(nginx, 'real-conf.d'), confd);
    } else mkdirSync(confd);
    const seen = join(root, 'seen');
    const fake = join(root, 'fake-nginx');
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        'case " $* " in *" -V "*) echo "nginx version: nginx/1.22.1" >&2; exit 0 ;; esac',
        'case " $* " in *" -p "*) ;; *) exit 0 ;; esac',
        'while [ "$1" != -p ]; do shift; done',
        `{ readlink "$2/sites-enabled/default"; readlink "$2/conf.d" || echo no-link; cat "$2/conf.d/apim.conf" "$2/sites-enabled/default"; ls -A ${singleQuote(confdIsLink ? join(nginx, 'real-conf.d') : confd)}; } >${singleQuote(seen)} 2>&1`,
      ].join('\n') + '\n',
      { mode: 0o755 },
    );
    const s: TransactionSpec = {
      ...spec(root, [], []),
      nginxBinary: fake,
      validate: true,
      files: [
        {
          path: join(confd, 'apim.conf'),
          content: Buffer.from(`ssl_certificate ${nginx}/ssl/lb.crt;\n`),
          mode: '0644',
          owner: 'root',
          group: 'root',
          expected: 'absent',
        },
      ],
    };
    const r = runSh(transactionScript(s), { log: join(root, 'strace') });
    expect(parseTransactionResult(r.out, '').status).toBe('committed');
    return {
      nginx,
      seen: readFileSync(seen, 'utf8').trim().split('\n'),
      execs: r.execs,
      stage: `${s.stateDir}/stage/${s.runId}/tree`,
    };
  }

  it('points links and paths into the copy with one find, the plan put in first', () => {
    const { seen, execs, stage: tree } = stage(false);
    expect(seen).toEqual([
      `${tree}/sites-available/default`,
      'no-link',
      `ssl_certificate ${tree}/ssl/lb.crt;`,
      `root ${tree}/html;`,
    ]);
    expect(execs.filter((e) => e === 'find').length).toBe(1);
  });

  it('fixes the links first when one is on the way to a staged file, never writing through it', () => {
    const { seen, execs, stage: tree } = stage(true);
    // The live folder the link points to is empty until the swap: the file went into the copy.
    expect(seen).toEqual([
      `${tree}/sites-available/default`,
      `${tree}/real-conf.d`,
      `ssl_certificate ${tree}/ssl/lb.crt;`,
      `root ${tree}/html;`,
    ]);
    expect(execs.filter((e) => e === 'find').length).toBe(2);
  });
});
