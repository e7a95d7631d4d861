// What the facts program reads with shell builtins instead of running uname, id or a `$(...)`
// (src/remote/sh/facts.sh, nginx.sh) must be what those commands say, under every shell a host may
// run; a recorded file the plan asks about is answered once.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Records,
  decodeField,
  factsScript,
  parseAnswers,
  parseFacts,
  parseTransactionResult,
  sha256Hex,
  transactionScript,
  type NginxVersionSeen,
} from '../../../src/remote/index.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { fileIdentity } from './fixtures.js';
import { runSh, SHELLS } from './traced-sh.js';

const source = (file: string) =>
  readFileSync(new URL(`../../../src/remote/sh/${file}.sh`, import.meta.url), 'utf8');
const FUNCTIONS = [source('lib'), source('nginx'), source('facts')].join('\n');
const run = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();

const dir = mkdtempSync(join(tmpdir(), 'apim-facts-builtins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(SHELLS)('facts read by the shell (%s)', (shell) => {
  const sh = (body: string) => {
    const [bin, ...args] = shell.split(' ');
    return execFileSync(bin!, [...args, '-c', `${FUNCTIONS}\n${body}`], { encoding: 'utf8' });
  };

  it('names the user as id does, from /proc and /etc/passwd or from id itself', () => {
    const expected = `${run('id -u')} ${run('id -un')}\n`;
    expect(sh('apim_user_facts; echo "$APIM_UID $APIM_USER"')).toBe(expected);
    // A name service that does not ask /etc/passwd first: id answers.
    expect(sh('apim_passwd_files_first() { return 1; }; apim_user_facts; echo "$APIM_UID $APIM_USER"')).toBe(
      expected,
    );
    // id's answer for a uid without a name.
    expect(
      sh(
        'id() { echo "uid=4242 gid=4242 groups=4242"; }; apim_passwd_files_first() { return 1; }\n' +
          'apim_user_facts; echo "$APIM_UID $APIM_USER"',
      ),
    ).toBe('4242 unknown\n');
  });

  it('gives the machine name uname -m gives', () => {
    const out = sh('APIM_PM=apt APIM_SVC=none; apim_os_facts');
    expect(out).toContain(`@@APIM arch ${run('uname -m')}\n`);
    expect(out).toContain(`@@APIM uid ${run('id -u')}\n`);
  });

  it('sets the live master pid without printing it, empty for a dead or missing one', () => {
    const pidFile = join(dir, `${shell.replace(' ', '-')}.pid`);
    writeFileSync(pidFile, `${process.pid}\n`);
    expect(sh(`PID_FILE='${pidFile}'; apim_master_pid; echo "[$APIM_MASTER_PID]"`)).toBe(
      `[${process.pid}]\n`,
    );
    writeFileSync(pidFile, '999999999\n');
    expect(sh(`PID_FILE='${pidFile}'; apim_master_pid; echo "[$APIM_MASTER_PID]"`)).toBe('[]\n');
    expect(sh(`PID_FILE='${pidFile}.none'; apim_master_pid; echo "[$APIM_MASTER_PID]"`)).toBe('[]\n');
  });

  it('lists the children of a process as ps does (from the kernel list, read by the shell)', () => {
    const parent = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
    try {
      const pid = parent.pid!;
      const deadline = Date.now() + 5_000;
      let ps = '';
      while (Date.now() < deadline && (ps = run(`ps -o pid= --ppid ${pid}`)).split(/\s+/).length < 2)
        run('sleep 0.05');
      const want = ps.split(/\s+/).sort().join(' ');
      const children = (body: string) =>
        sh(`${body}apim_children ${pid}; echo "$APIM_CHILDREN"`).trim().split(' ').sort().join(' ');
      expect(children('')).toBe(want);
      run(`kill ${want}`);
    } finally {
      parent.kill();
    }
  });

  it('takes a configure argument from nginx -V: the last --name=, up to a blank or line end', () => {
    const arg = (v: string, name: string) =>
      sh(`apim_np_v=${singleQuote(v)}; apim_configure_arg ${name}; printf '[%s]' "$APIM_ARG"`);
    const v =
      "nginx version: nginx/1.22.1\nconfigure arguments: --with-cc-opt='-g -O2 -ffile-prefix-map=/build/n-1.22.1=.' " +
      '--prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --pid-path=/run/*.pid\n--error-log-path=/var/log/e.log';
    expect(arg(v, 'prefix')).toBe('[/usr/share/nginx]');
    expect(arg(v, 'conf-path')).toBe('[/etc/nginx/nginx.conf]');
    // Globbing stays off: `*` is text.
    expect(arg(v, 'pid-path')).toBe('[/run/*.pid]');
    expect(arg(v, 'error-log-path')).toBe('[/var/log/e.log]');
    expect(arg(v, 'sbin-path')).toBe('[]');
    expect(arg(`${v} --prefix=/opt/last`, 'prefix')).toBe('[/opt/last]');
    expect(arg(`${v} --with-ld-opt=--prefix=/inside`, 'prefix')).toBe('[/inside]');
    expect(arg('configure arguments: --prefix= --conf-path=x', 'prefix')).toBe('[]');
  });

  it('finds a program on PATH as command -v does, in absolute folders only', () => {
    const bins = join(dir, `path-${shell.replace(' ', '-')}`);
    for (const d of ['a', 'b', 'c']) mkdirSync(join(bins, d), { recursive: true });
    writeFileSync(join(bins, 'a', 'tool'), '#!/bin/sh\n', { mode: 0o644 }); // not executable
    writeFileSync(join(bins, 'b', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(bins, 'c', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(bins, 'b', 'dir'), { recursive: true });
    const found = (path: string, name: string) =>
      sh(
        `cd ${singleQuote(join(bins, 'c'))}; PATH=${singleQuote(path)}; apim_on_path ${name}; printf '[%s]' "$APIM_ON_PATH"`,
      );
    const path = `${join(bins, 'a')}:${join(bins, 'b')}:${join(bins, 'c')}`;
    expect(found(path, 'tool')).toBe(`[${join(bins, 'b', 'tool')}]`);
    expect(found(path, 'tool')).toBe(
      `[${execFileSync('bash', ['-c', `PATH=${singleQuote(path)}; command -v tool`], { encoding: 'utf8' }).trim()}]`,
    );
    expect(found(path, 'dir')).toBe('[]');
    expect(found(path, 'none')).toBe('[]');
    // An empty or relative entry (the current folder holds a tool) is not searched.
    expect(found(`:.:${join(bins, 'a')}`, 'tool')).toBe('[]');
  });

  it('sends the text facts as plain text records where it can, the others base64', () => {
    const state = join(dir, `text-${shell.replace(' ', '-')}`);
    mkdirSync(state, { recursive: true });
    const osRelease = readFileSync('/etc/os-release', 'utf8').replace(/\n?$/, '\n');
    const plainV =
      "nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/usr/share/nginx\t--with-cc-opt='-O2'";
    const texts = (nginxV: string, user: string) => {
      writeFileSync(join(state, 'nginx-v'), `1 2 3 4 5\n${nginxV}\n`);
      const out = sh(
        `STATE=${singleQuote(state)} APIM_NGINX_ID='1 2 3 4 5' APIM_PM=apt APIM_SVC=none\napim_os_facts >/dev/null\n` +
          `apim_recorded_nginx_v || exit 9\nAPIM_USER=${singleQuote(user)} APIM_HAS_NGINX=1 NGINX=/usr/sbin/nginx\n` +
          "CONF=/etc/nginx/nginx.conf PID_FILE=/run/nginx.pid ERROR_LOG=''\napim_text_facts",
      );
      const r = Records.parse(out);
      const plain = Object.fromEntries(r.output.records.map((x) => [x.key, x.value.startsWith('=')]));
      return {
        values: Object.fromEntries(r.output.records.map((x) => [x.key, r.text(x.key)])),
        plain,
      };
    };
    const expected = (nginxV: string, user: string) => ({
      os_release: osRelease,
      user,
      nginx_binary: '/usr/sbin/nginx',
      nginx_v: nginxV,
      nginx_conf: '/etc/nginx/nginx.conf',
      nginx_pid_path: '/run/nginx.pid',
      nginx_error_log: 'stderr',
    });
    const plainOs = /^[\x20-\x7e\t\n]*$/.test(osRelease) && !osRelease.includes('\\');
    const all = texts(plainV, 'root');
    expect(all.values).toEqual(expected(plainV, 'root'));
    expect(all.plain).toEqual({
      ...Object.fromEntries(Object.keys(all.plain).map((k) => [k, true])),
      os_release: plainOs,
    });
    // A backslash (the escape) or a byte outside printable ASCII: that text travels base64.
    const slashV = `${plainV}\n--with-ld-opt='-L\\lib'`;
    const some = texts(slashV, 'd\u00e9j\u00e0');
    expect(some.values).toEqual(expected(slashV, 'd\u00e9j\u00e0'));
    expect(some.plain).toMatchObject({ nginx_v: false, user: false, nginx_binary: true, nginx_conf: true });
  });

  it('prints a content record from the reader, and missing when the read fails after it began', () => {
    const file = join(dir, `content-${shell.replace(' ', '-')}.txt`);
    writeFileSync(file, 'old bytes\n');
    const answers = (body: string) =>
      parseAnswers(`${sh(`${body}\napim_content_fact =${file}`)}@@APIM done 1\n`);
    expect(answers('').contents[file]?.toString()).toBe('old bytes\n');
    // base64 fails once the record's first half is out: the file counts as unreadable.
    expect(answers('base64() { cat >/dev/null; return 1; }').contents[file]).toBeNull();
    expect(answers(`APIM_READ_ID=1:1; rm ${singleQuote(file)}`).contents[file]).toBeNull();
  });

  it('reports the nginx-plus package as dpkg-query does', () => {
    const hasDpkg = spawnSync('sh', ['-c', 'command -v dpkg-query']).status === 0;
    const installed =
      hasDpkg &&
      spawnSync('sh', ['-c', "dpkg-query -W -f='${Status}' nginx-plus 2>/dev/null"], {
        encoding: 'utf8',
      }).stdout.includes('install ok installed');
    expect(
      sh(
        "NGINX_OVERRIDE=/nonexistent CONF_OVERRIDE='' STATE=/nonexistent; apim_nginx_binary; apim_nginx_facts",
      ),
    ).toContain(`@@APIM plus_package ${installed ? 1 : 0}\n`);
  });
});

describe('recorded files in the facts program', () => {
  it('answers a recorded file the plan asks about once, and one it does not ask about too', () => {
    const state = join(dir, 'state');
    const asked = join(dir, 'asked.conf');
    const retired = join(dir, 'retired.conf');
    mkdirSync(state, { recursive: true });
    writeFileSync(asked, 'asked\n');
    writeFileSync(retired, 'retired\n');
    const b64 = (p: string) => Buffer.from(p).toString('base64');
    writeFileSync(
      join(state, 'records'),
      `apim_lb_config ${b64(asked)} -\napim_lb_config ${b64(retired)} -\n`,
    );
    const out = execFileSync('sh', ['-s'], {
      input: factsScript({
        queries: [{ kind: 'file', path: asked }],
        stateDir: state,
        probeSysvServices: false,
      }),
      encoding: 'utf8',
    });
    const answers = out.split('\n').filter((l) => l.startsWith('@@APIM file '));
    expect(answers.map((l) => decodeField(l.split(' ')[2]!))).toEqual([asked, retired]);
    const facts = parseFacts(out);
    expect(facts.files[asked]).toMatchObject({ type: 'file', sha256: sha256Hex('asked\n') });
    expect(facts.files[retired]).toMatchObject({ type: 'file', sha256: sha256Hex('retired\n') });
    expect(facts.state.records.apim_lb_config).toEqual([asked, retired]);
  });
});

describe('a certificate and key the records vouch for (content queries with orRecord)', () => {
  const state = join(dir, 'vouch-state');
  const cert = join(dir, 'vouch.crt');
  const key = join(dir, 'vouch.key');
  const b64 = (p: string) => Buffer.from(p).toString('base64');
  const note = b64('{"subject":"CN=x"}');
  const setUp = (records: { certSha?: string; keySha?: string; note?: string }) => {
    mkdirSync(state, { recursive: true });
    writeFileSync(cert, 'CERT\n');
    writeFileSync(key, 'KEY\n');
    writeFileSync(
      join(state, 'records'),
      `apim_tls_certificates ${b64(cert)} ${records.certSha ?? sha256Hex('CERT\n')}${records.note === undefined ? '' : ` ${records.note}`}\n` +
        `apim_tls_certificates ${b64(key)} ${records.keySha ?? sha256Hex('KEY\n')}\n`,
    );
  };
  const facts = () => {
    const out = execFileSync('sh', ['-s'], {
      input: factsScript({
        queries: [
          { kind: 'file', path: cert },
          { kind: 'file', path: key },
          { kind: 'content', path: cert, orRecord: 'note' },
          { kind: 'content', path: key, orRecord: 'sha256' },
        ],
        stateDir: state,
        probeSysvServices: false,
      }),
      encoding: 'utf8',
    });
    return parseFacts(out);
  };

  it('reads neither when both hash to their records and the certificate has its note', () => {
    setUp({ note });
    const f = facts();
    expect(f.contents).toEqual({});
    expect(f.recordedContent).toEqual({ [cert]: sha256Hex('CERT\n'), [key]: sha256Hex('KEY\n') });
  });

  it('reads both when either file hashes to something else than its record', () => {
    setUp({ note, keySha: sha256Hex('OTHER KEY\n') });
    const f = facts();
    expect(f.recordedContent).toEqual({});
    expect(f.contents[cert]?.toString()).toBe('CERT\n');
    expect(f.contents[key]?.toString()).toBe('KEY\n');
    setUp({ note });
    writeFileSync(cert, 'CERT, changed in place\n');
    expect(facts().contents[cert]?.toString()).toBe('CERT, changed in place\n');
  });

  it('reads both when the certificate record has no note, and when the state has no records', () => {
    setUp({});
    expect(facts().recordedContent).toEqual({});
    expect(Object.keys(facts().contents).sort()).toEqual([cert, key].sort());
    rmSync(join(state, 'records'));
    expect(Object.keys(facts().contents).sort()).toEqual([cert, key].sort());
  });

  it('reads a link in place of the file, never vouching for what it points to', () => {
    setUp({ note });
    rmSync(key);
    const target = join(dir, 'vouch-target.key');
    writeFileSync(target, 'KEY\n');
    symlinkSync(target, key);
    const f = facts();
    expect(f.recordedContent).toEqual({});
    expect(f.contents[key]).toBeNull();
    rmSync(key);
  });
});

describe('nginx -V recorded by the transaction for the binary it ran (state.sh, apim_record_nginx_v)', () => {
  const state = join(dir, 'nginx-v-state');
  const bin = join(dir, 'fake-nginx');
  const ran = join(dir, 'fake-nginx.ran');
  const build = (version: string) =>
    `#!/bin/sh\necho run >>'${ran}'\necho 'nginx version: nginx/${version}' >&2\necho 'configure arguments: --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --with-http_ssl_module' >&2\n`;
  const install = (version: string) => {
    // As a package manager does: a new file renamed over the old one.
    writeFileSync(`${bin}.new`, build(version), { mode: 0o755 });
    execFileSync('mv', ['-f', `${bin}.new`, bin]);
  };
  const record = () =>
    execFileSync('sh', [
      '-c',
      `${source('lib')}\n${source('state')}\nSTATE='${state}' NGINX='${bin}' APIM_NGINX_V=\n` +
        // The identity as the transaction takes it: stated with the plan's paths, before nginx -V.
        'apim_stat_paths "$NGINX"; apim_stat_identity "$APIM_STATS"; APIM_NGINX_ID=$APIM_IDENTITY\napim_record_nginx_v',
    ]);
  const runs = () => (spawnSync('cat', [ran], { encoding: 'utf8' }).stdout.match(/run/g) ?? []).length;
  const facts = () => {
    rmSync(ran, { force: true });
    const out = execFileSync('sh', ['-s'], {
      input: factsScript({ queries: [], stateDir: state, nginxBinary: bin, probeSysvServices: false }),
      encoding: 'utf8',
    });
    return { version: parseFacts(out).nginx?.version, ranNginx: runs() };
  };

  it('prints the recorded text while the binary is the one recorded, and runs nginx -V for any other', () => {
    mkdirSync(state, { recursive: true });
    install('1.22.1');
    expect(facts()).toEqual({ version: '1.22.1', ranNginx: 1 });
    record();
    expect(readFileSync(join(state, 'nginx-v'), 'utf8')).toContain('nginx version: nginx/1.22.1\n');
    expect(facts()).toEqual({ version: '1.22.1', ranNginx: 0 });

    // Upgraded, or reinstalled at the same version (a new file): nginx -V runs again.
    install('1.24.0');
    expect(facts()).toEqual({ version: '1.24.0', ranNginx: 1 });
    record();
    expect(facts()).toEqual({ version: '1.24.0', ranNginx: 0 });
    install('1.24.0');
    expect(facts()).toEqual({ version: '1.24.0', ranNginx: 1 });
    record();

    // The same file, its mtime changed: not the binary recorded.
    execFileSync('touch', ['-d', '2001-01-01 00:00:00', bin]);
    expect(facts().ranNginx).toBe(1);
    record();
    expect(facts().ranNginx).toBe(0);

    // A record that does not hold nginx -V text is not used.
    const recorded = readFileSync(join(state, 'nginx-v'), 'utf8');
    writeFileSync(join(state, 'nginx-v'), `${recorded.split('\n')[0]}\nsomething else\n`);
    expect(facts()).toEqual({ version: '1.24.0', ranNginx: 1 });
  });

  it('sends the text of an nginx -V it ran plain (no awk), and base64 what cannot be plain', () => {
    const fresh = join(dir, 'fresh-state');
    const v = (text: string) => {
      writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' ${singleQuote(text)} >&2\n`, { mode: 0o755 });
      const r = runSh(
        factsScript({ queries: [], stateDir: fresh, nginxBinary: bin, probeSysvServices: false }),
        { log: join(dir, 'strace-fresh-v') },
      );
      const line = r.out.split('\n').find((l) => l.startsWith('@@APIM nginx_v '));
      return {
        seen: parseFacts(r.out).nginx?.versionSeen?.text,
        plain: line?.[15] === '=',
        awk: r.execs.includes('awk'),
      };
    };
    const plain = `nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0\nconfigure arguments: ${'--with-x '.repeat(200)}--prefix=/usr/share/nginx`;
    expect(v(plain)).toEqual({ seen: plain, plain: true, awk: false });
    for (const other of [
      'nginx version: nginx/1.22.1\n\nconfigure arguments: --prefix=/usr/share/nginx',
      'nginx version: nginx/1.22.1\nconfigure arguments: --with-cc-opt=-DX=\\"y\\"',
      'nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/usr/share/nginx\u00e9',
    ])
      expect(v(other)).toEqual({ seen: other, plain: false, awk: true });
  });

  it("lets the transaction take the facts' nginx -V while the binary is the one they saw, and run it for any other", () => {
    const live = join(dir, 'seen-live');
    const txnState = join(dir, 'seen-state');
    const conf = join(live, 'conf.d', 'a.conf');
    mkdirSync(join(live, 'conf.d'), { recursive: true });
    writeFileSync(join(live, 'nginx.conf'), 'events {}\n');
    const seenByFacts = (): NginxVersionSeen => {
      const out = execFileSync('sh', ['-s'], {
        input: factsScript({ queries: [], stateDir: txnState, nginxBinary: bin, probeSysvServices: false }),
        encoding: 'utf8',
      });
      return parseFacts(out).nginx!.versionSeen!;
    };
    let expected = 'absent';
    let n = 0;
    /** A transaction that changes a file (no validation, no reload): it records nginx -V at its end. */
    const commit = (seen: NginxVersionSeen | undefined) => {
      const content = Buffer.from(`# ${++n}\n`);
      rmSync(ran, { force: true });
      const out = execFileSync('sh', ['-s'], {
        input: transactionScript({
          runId: `seen-${n}`,
          stateDir: txnState,
          confPrefix: live,
          confPath: join(live, 'nginx.conf'),
          nginxBinary: bin,
          serviceManager: 'none',
          files: [{ path: conf, content, mode: '0644', owner: 'root', group: 'root', expected }],
          directories: [],
          deletes: [],
          records: { managers: [], files: [] },
          reload: false,
          validate: false,
          snapshotsToKeep: 2,
          lockWaitSeconds: 5,
          ...(seen ? { nginxSeen: seen } : {}),
        }),
        encoding: 'utf8',
      });
      expected = sha256Hex(content);
      const [identity, ...text] = readFileSync(join(txnState, 'nginx-v'), 'utf8').trimEnd().split('\n');
      return {
        status: parseTransactionResult(out, '').status,
        ranNginx: runs(),
        recorded: { identity, text: text.join('\n') },
      };
    };

    install('1.22.1');
    const seen = seenByFacts();
    expect(seen.identity).toBe(fileIdentity(bin, true));
    expect(seen.text).toMatch(/^nginx version: nginx\/1\.22\.1\n/);
    // The binary the facts saw: their text is recorded, nginx is not run.
    expect(commit(seen)).toEqual({ status: 'committed', ranNginx: 0, recorded: seen });
    // Recorded already for this binary: nothing to run, nothing to write.
    expect(commit(seen)).toEqual({ status: 'committed', ranNginx: 0, recorded: seen });

    // Upgraded since the facts ran: their text is not taken, nginx -V runs once.
    install('1.24.0');
    const now = commit(seen);
    expect(now).toMatchObject({ status: 'committed', ranNginx: 1 });
    expect(now.recorded).toEqual(seenByFacts());
    expect(now.recorded.text).toMatch(/^nginx version: nginx\/1\.24\.0\n/);

    // Without what the facts saw (an older controller): nginx -V runs once.
    rmSync(join(txnState, 'nginx-v'));
    expect(commit(undefined)).toMatchObject({ status: 'committed', ranNginx: 1, recorded: now.recorded });
  });
});

describe('the old content a diff may need (diff queries), read with the facts', () => {
  const state = join(dir, 'diff-state');
  const conf = join(dir, 'diff.conf');
  const b64 = (p: string) => Buffer.from(p).toString('base64');
  const WRITTEN = 'server { listen 443 ssl; }\n';
  const record = (sha: string) =>
    writeFileSync(join(state, 'records'), `apim_lb_config ${b64(conf)} ${sha}\n`);
  const facts = (expected = sha256Hex(WRITTEN), maxBytes = 1024, withFile = true) =>
    parseFacts(
      execFileSync('sh', ['-s'], {
        input: factsScript({
          queries: [
            ...(withFile ? [{ kind: 'file' as const, path: conf }] : []),
            { kind: 'diff', path: conf, expected, maxBytes },
          ],
          stateDir: state,
          probeSysvServices: false,
        }),
        encoding: 'utf8',
      }),
    );
  /** Every name, type, mode, size, mtime and content under `root`: what any write would change. */
  const snapshot = (root: string): string[] => {
    const out = execFileSync('find', [root, '-printf', '%p %y %m %s %T@ %C@\n'], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => l !== '')
      .sort()
      .map((l) => (l.split(' ')[1] === 'f' ? `${l} ${sha256Hex(readFileSync(l.split(' ')[0]!))}` : l));
  };

  it('reads a file that differs from what the plan writes and from its record', () => {
    mkdirSync(state, { recursive: true });
    record(sha256Hex(WRITTEN));
    writeFileSync(conf, `# edited\n${WRITTEN}`);
    expect(facts().contents[conf]?.toString()).toBe(`# edited\n${WRITTEN}`);
  });

  it('reads what the tool wrote last when the plan writes something else now (the inventory changed)', () => {
    mkdirSync(state, { recursive: true });
    writeFileSync(conf, WRITTEN);
    record(sha256Hex(WRITTEN));
    expect(facts(sha256Hex('the new rendering\n')).contents[conf]?.toString()).toBe(WRITTEN);
  });

  it('reads the differing file through the fd the one stat stated: no stat of its own, bytes exact', () => {
    mkdirSync(state, { recursive: true });
    record(sha256Hex(WRITTEN));
    // Binary, not UTF-8, no trailing newline: byte for byte.
    const bytes = Buffer.from([0, 1, 0xff, 0xc3, 0x28, 0x0a, 0x41, 0x5c, 0x6e]);
    writeFileSync(conf, bytes);
    expect(facts().contents[conf]).toEqual(bytes);
    writeFileSync(conf, `# edited\n${WRITTEN}`);
    const r = runSh(
      factsScript({
        queries: [
          { kind: 'file', path: conf },
          { kind: 'diff', path: conf, expected: sha256Hex(WRITTEN), maxBytes: 1024 },
        ],
        stateDir: state,
        probeSysvServices: false,
        basics: false,
      }),
      { log: join(dir, 'diff-fd8.strace') },
    );
    expect(parseAnswers(r.out).contents[conf]?.toString()).toBe(`# edited\n${WRITTEN}`);
    expect(r.execs).toEqual(['stat', 'sha256sum', 'base64']);
  });

  it('leaves unread a file that hashes to what the plan writes, or is too large', () => {
    mkdirSync(state, { recursive: true });
    writeFileSync(conf, WRITTEN);
    record(sha256Hex(WRITTEN));
    expect(facts().contents).toEqual({});
    record(sha256Hex('something else\n'));
    expect(facts().contents).toEqual({});
    writeFileSync(conf, `# edited\n${WRITTEN}`);
    expect(facts(sha256Hex(WRITTEN), 10).contents).toEqual({});
    expect(facts(sha256Hex(WRITTEN), `# edited\n${WRITTEN}`.length).contents[conf]).toBeDefined();
  });

  it('reads nothing for a path the same program does not state, a missing file or a link', () => {
    mkdirSync(state, { recursive: true });
    rmSync(join(state, 'records'), { force: true });
    writeFileSync(conf, `# edited\n${WRITTEN}`);
    expect(facts(undefined, undefined, false).contents).toEqual({});
    rmSync(conf);
    expect(facts().contents).toEqual({});
    const target = join(dir, 'diff-target.conf');
    writeFileSync(target, 'elsewhere\n');
    symlinkSync(target, conf);
    expect(facts().contents).toEqual({});
    rmSync(conf);
  });

  it('writes nothing: the file, its folder and the state folder are as they were', () => {
    mkdirSync(state, { recursive: true });
    record(sha256Hex(WRITTEN));
    writeFileSync(conf, `# edited\n${WRITTEN}`);
    const before = snapshot(dir);
    expect(facts().contents[conf]).toBeDefined();
    expect(snapshot(dir)).toEqual(before);
  });
});
