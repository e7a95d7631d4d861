import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  factsScript,
  parseFacts,
  parseRollbackResult,
  parseTransactionResult,
  RUN_LOGS_TO_KEEP,
  rollbackScript,
  sha256Hex,
  transactionScript,
  type TransactionFile,
  type TransactionResult,
  type TransactionSpec,
} from '../../src/remote/index.js';
import { withPause } from '../support/pause-hook.js';
import {
  NGINX_BINARY,
  freePort,
  nginxSpecFields,
  runShell,
  startLocalNginx,
  type LocalNginx,
} from './support/local-nginx.js';

let lb: LocalNginx;
let runCounter = 0;

beforeEach(async () => {
  lb = await startLocalNginx();
});
afterEach(() => lb.stop());

function spec(overrides: Partial<TransactionSpec> = {}): TransactionSpec {
  runCounter += 1;
  return {
    runId: `run-${Date.now()}-${runCounter}`,
    ...nginxSpecFields(lb),
    files: [],
    directories: [],
    deletes: [],
    records: { managers: [], files: [] },
    reload: true,
    validate: true,
    snapshotsToKeep: 3,
    lockWaitSeconds: 30,
    ...overrides,
  };
}

function siteFile(body: string, expected: string | null, port = lb.port): TransactionFile {
  return {
    path: lb.siteConf,
    content: Buffer.from(lb.siteConfig(body, port)),
    mode: '0644',
    owner: 'root',
    group: 'root',
    expected: expected ?? 'absent',
  };
}

const v1 = () => sha256Hex(readFileSync(lb.siteConf));

async function commit(
  s: TransactionSpec,
  shell = 'sh',
): Promise<TransactionResult & { code: number | null }> {
  const out = await runShell(transactionScript(s), { shell }).done;
  return { ...parseTransactionResult(out.stdout, out.stderr), code: out.code };
}

describe('facts and read-files against a real nginx', () => {
  it('reports the nginx build, the running master and file states', async () => {
    const out = await runShell(
      factsScript({
        queries: [lb.siteConf, lb.prefix, join(lb.prefix, 'missing.conf')].map((path) => ({
          kind: 'file' as const,
          path,
        })),
        stateDir: lb.stateDir,
        confPath: lb.confPath,
        probeSysvServices: false,
      }),
    ).done;
    expect(out.code).toBe(0);
    const facts = parseFacts(out.stdout);
    expect(facts.os.family).toBe('debian');
    expect(facts.packageManager).toBe('apt');
    expect(facts.user.uid).toBe(0);
    expect(facts.nginx?.version).toMatch(/^1\.\d+\.\d+$/);
    expect(facts.nginx?.modules).toContain('http_ssl_module');
    expect(facts.nginx?.running).toBe(true);
    expect(facts.nginx?.masterPid).toBe(lb.masterPid());
    expect(facts.nginx?.pidPath).toBe(lb.pidFile);
    expect(facts.files[lb.siteConf]).toMatchObject({
      exists: true,
      type: 'file',
      sha256: v1(),
      mode: '0644',
      owner: 'root',
    });
    expect(facts.files[lb.prefix]).toMatchObject({ exists: true, type: 'directory' });
    expect(facts.files[join(lb.prefix, 'missing.conf')]).toEqual({ exists: false });
    expect(facts.state).toEqual({
      pendingReload: false,
      records: {},
      recordedSha: {},
      recordedNote: {},
      legacyRecords: [],
      legacyFile: false,
      snapshots: [],
    });
  });

  it('answers file queries in one stat and one sha256sum: odd names, links, missing paths between', async () => {
    const odd = join(lb.prefix, 'odd dir ü', "a 'q' \\b $x.conf");
    mkdirSync(join(lb.prefix, 'odd dir ü'));
    writeFileSync(odd, 'odd\n');
    chmodSync(odd, 0o600);
    const link = join(lb.prefix, 'link.conf');
    symlinkSync(lb.siteConf, link);
    const paths = [join(lb.prefix, 'gone-1'), odd, join(lb.prefix, 'gone-2'), link, lb.siteConf, odd];
    const out = await runShell(
      factsScript({
        queries: paths.map((path) => ({ kind: 'file' as const, path })),
        stateDir: lb.stateDir,
        probeSysvServices: false,
      }),
    ).done;
    expect(out.code).toBe(0);
    const { files } = parseFacts(out.stdout);
    expect(files[join(lb.prefix, 'gone-1')]).toEqual({ exists: false });
    expect(files[join(lb.prefix, 'gone-2')]).toEqual({ exists: false });
    expect(files[odd]).toMatchObject({
      exists: true,
      type: 'file',
      mode: '0600',
      size: 4,
      sha256: sha256Hex(Buffer.from('odd\n')),
    });
    expect(files[link]).toMatchObject({ exists: true, type: 'link' });
    expect(files[link]).not.toHaveProperty('sha256');
    expect(files[lb.siteConf]).toMatchObject({ exists: true, type: 'file', sha256: v1() });
  });

  it('reads file contents back, null for missing files', async () => {
    const out = await runShell(
      factsScript({
        queries: [lb.siteConf, '/nonexistent/x y'].map((path) => ({ kind: 'content' as const, path })),
        stateDir: lb.stateDir,
        probeSysvServices: false,
      }),
    ).done;
    const { contents } = parseFacts(out.stdout);
    expect(contents[lb.siteConf]?.toString()).toBe(lb.siteConfig('v1'));
    expect(contents['/nonexistent/x y']).toBeNull();
  });
});

describe('transaction commit against a real nginx', () => {
  it('commits, reloads with new workers under the same master, then reports unchanged', async () => {
    const master = lb.masterPid();
    const workers = lb.workerPids();
    const written = sha256Hex(lb.siteConfig('v2'));
    const records = {
      managers: ['apim_lb_config'],
      files: [{ manager: 'apim_lb_config', path: lb.siteConf, sha256: written }],
    };
    const s = spec({ files: [siteFile('v2', v1())], records });
    const result = await commit(s);
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect(result.code).toBe(0);
    expect(result.reloaded).toBe(true);
    expect(result.snapshotId).toBe(s.runId);
    expect((await lb.get()).body).toBe('v2');
    expect(lb.masterPid()).toBe(master);
    expect(lb.workerPids().some((w) => !workers.includes(w))).toBe(true);
    expect(existsSync(join(lb.stateDir, 'pending-reload'))).toBe(false);
    expect(readFileSync(join(lb.stateDir, 'records'), 'utf8')).toBe(
      `apim_lb_config ${Buffer.from(lb.siteConf).toString('base64')} ${written}\n`,
    );
    expect(readFileSync(join(lb.stateDir, 'runs', `${s.runId}.log`), 'utf8')).toContain('@@APIM committed 1');
    expect(existsSync(join(lb.stateDir, 'stage', s.runId))).toBe(false);

    const again = await commit(spec({ files: [siteFile('v2', v1())], records }));
    expect(again.status).toBe('unchanged');
    expect(again.reloaded).toBe(false);
  });

  it('answers committed only once no old worker accepts: the next request gets the new page', async () => {
    // An old worker holding a keepalive connection stays alive ("shutting down") after the
    // reload; one the master has not yet told to quit would still accept and serve the old page.
    for (let round = 0; round < 21; round++) {
      const held = connect(lb.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        held.once('error', reject);
        held.once('data', () => resolve());
        held.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      try {
        const page = `round ${round}`;
        const result = await commit(spec({ files: [siteFile(page, v1())] }));
        expect(result.status, result.messages.join('\n')).toBe('committed');
        expect(result.reloaded).toBe(true);
        expect((await lb.get()).body, `round ${round}`).toBe(page);
      } finally {
        held.destroy();
      }
    }
  });

  it('runs under bash as well as dash', async () => {
    const result = await commit(spec({ files: [siteFile('bash', v1())] }), 'bash');
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect((await lb.get()).body).toBe('bash');
  });

  it("reloads with the facts' nginx -V and records it, while the binary is the one they saw", async () => {
    const out = await runShell(
      factsScript({
        queries: [],
        stateDir: lb.stateDir,
        confPath: lb.confPath,
        nginxBinary: NGINX_BINARY,
        probeSysvServices: false,
      }),
    ).done;
    const seen = parseFacts(out.stdout).nginx!.versionSeen!;
    // Marked, to tell the facts' text from an nginx -V of the transaction's own.
    const marked = { ...seen, text: `${seen.text}\n# as the facts saw it` };
    const workers = lb.workerPids();
    const result = await commit(spec({ files: [siteFile('seen', v1())], nginxSeen: marked }));
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect(result.reloaded).toBe(true);
    expect(lb.workerPids().some((w) => !workers.includes(w))).toBe(true);
    expect((await lb.get()).body).toBe('seen');
    expect(readFileSync(join(lb.stateDir, 'nginx-v'), 'utf8')).toBe(`${seen.identity}\n${marked.text}\n`);

    // Another identity (the binary replaced since): nginx -V's own text is recorded.
    rmSync(join(lb.stateDir, 'nginx-v'));
    const other = { ...marked, identity: '1 2 3 4 5' };
    expect((await commit(spec({ files: [siteFile('other', v1())], nginxSeen: other }))).reloaded).toBe(true);
    expect(readFileSync(join(lb.stateDir, 'nginx-v'), 'utf8')).toBe(`${seen.identity}\n${seen.text}\n`);
  });

  it('refuses a configuration the staged nginx -t rejects and changes nothing live', async () => {
    const before = readFileSync(lb.siteConf);
    const bad = { ...siteFile('v2', v1()), content: Buffer.from('bogus_directive on;\n') };
    const s = spec({ files: [bad] });
    const result = await commit(s);
    expect(result.status).toBe('validate_failed');
    expect(result.code).not.toBe(0);
    expect(result.nginxOutput).toContain('unknown directive "bogus_directive"');
    // nginx's error names the live file, not the stage copy
    expect(result.nginxOutput).toContain(lb.siteConf);
    expect(readFileSync(lb.siteConf).equals(before)).toBe(true);
    expect((await lb.get()).body).toBe('v1');
    expect(existsSync(join(lb.stateDir, 'pending-reload'))).toBe(false);
    expect(existsSync(join(lb.stateDir, 'snapshots', s.runId))).toBe(false);
  });

  it('rolls back when the reload fails (port taken), and nginx keeps serving the old config', async () => {
    const busyPort = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(busyPort, '127.0.0.1', () => r()));
    try {
      const second: TransactionFile = {
        path: join(lb.prefix, 'conf.d', 'second.conf'),
        content: Buffer.from(lb.siteConfig('taken', busyPort)),
        mode: '0644',
        owner: 'root',
        group: 'root',
        expected: 'absent',
      };
      const result = await commit(spec({ files: [siteFile('v2', v1()), second] }));
      expect(result.status).toBe('reload_failed');
      expect(result.rolledBack, JSON.stringify(result)).toBe(true);
      expect(result.nginxOutput).toMatch(/\[emerg\].*bind\(\)/);
      expect(existsSync(second.path)).toBe(false);
      expect(readFileSync(lb.siteConf, 'utf8')).toBe(lb.siteConfig('v1'));
      expect((await lb.get()).body).toBe('v1');
      expect(existsSync(join(lb.stateDir, 'pending-reload'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('rolls back when the health check through the load balancer gets no answer', async () => {
    const deadPort = await freePort();
    const result = await commit(
      spec({
        files: [siteFile('v2', v1())],
        healthCheck: { url: `http://127.0.0.1:${deadPort}/`, hostHeader: 'lb.example' },
      }),
    );
    expect(result.status).toBe('reload_failed');
    expect(result.rolledBack).toBe(true);
    expect(result.nginxOutput).toContain('health check');
    expect((await lb.get()).body).toBe('v1');
  });

  it('detects a file changed on the host since the plan and changes nothing', async () => {
    const planned = v1();
    writeFileSync(lb.siteConf, lb.siteConfig('edited by hand'));
    const result = await commit(spec({ files: [siteFile('v2', planned)] }));
    expect(result.status).toBe('conflict');
    expect(result.conflicts).toEqual([lb.siteConf]);
    expect(readFileSync(lb.siteConf, 'utf8')).toBe(lb.siteConfig('edited by hand'));
  });

  it('retires the files the plan lists (compare-and-swap), keeps every other file and record', async () => {
    const old = join(lb.prefix, 'conf.d', 'old.conf');
    const other = join(lb.prefix, 'conf.d', 'not-ours.conf');
    writeFileSync(other, '# not managed by the tool\n');
    const oldFile: TransactionFile = {
      ...siteFile('x', null),
      path: old,
      content: Buffer.from('# old vhost\n'),
    };
    const records = (files: string[]) => ({
      managers: ['apim_lb_config'],
      files: files.map((path) => ({ manager: 'apim_lb_config', path })),
    });
    const first = await commit(
      spec({ files: [oldFile, siteFile('v2', v1())], records: records([old, lb.siteConf]) }),
    );
    expect(first.status, first.messages.join('\n')).toBe('committed');
    // Another module's record, which this run does not touch.
    const tls = `apim_tls_certificates ${Buffer.from('/etc/nginx/ssl/apim.key').toString('base64')}`;
    writeFileSync(
      join(lb.stateDir, 'records'),
      `${readFileSync(join(lb.stateDir, 'records'), 'utf8')}${tls}\n`,
    );

    // A retirement whose file changed since the plan is a conflict: nothing is removed.
    const changed = await commit(
      spec({
        files: [siteFile('v3', sha256Hex(lb.siteConfig('v2')))],
        deletes: [{ path: old, expected: 'c'.repeat(64) }],
      }),
    );
    expect(changed.status).toBe('conflict');
    expect(existsSync(old)).toBe(true);

    const second = await commit(
      spec({
        files: [siteFile('v3', sha256Hex(lb.siteConfig('v2')))],
        deletes: [{ path: old, expected: sha256Hex('# old vhost\n') }],
        records: records([lb.siteConf]),
      }),
    );
    expect(second.status, second.messages.join('\n')).toBe('committed');
    expect(second.removed).toEqual([old]);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect((await lb.get()).body).toBe('v3');
    const recorded = readFileSync(join(lb.stateDir, 'records'), 'utf8').trim().split('\n').sort();
    expect(recorded).toEqual([`apim_lb_config ${Buffer.from(lb.siteConf).toString('base64')} -`, tls]);

    // The snapshot holds the records too: a rollback brings the retired file and its record back.
    const back = await runShell(
      rollbackScript({
        stateDir: lb.stateDir,
        confPath: lb.confPath,
        nginxBinary: NGINX_BINARY,
        nginxPrefix: `${lb.prefix}/`,
        serviceManager: 'none',
      }),
    ).done;
    expect(parseRollbackResult(back.stdout, back.stderr).status).toBe('rolled_back');
    expect(readFileSync(old, 'utf8')).toBe('# old vhost\n');
    expect(readFileSync(join(lb.stateDir, 'records'), 'utf8')).toContain(Buffer.from(old).toString('base64'));
  });

  it('refuses a candidate where a server name is claimed twice on one address (nginx -t only warns)', async () => {
    const block = (body: string) =>
      `server {\n    listen 127.0.0.1:${lb.port};\n    server_name twin.example;\n    return 200 "${body}";\n}\n`;
    const twin: TransactionFile = {
      ...siteFile('twin', null),
      path: join(lb.prefix, 'conf.d', 'twin.conf'),
      content: Buffer.from(block('first') + block('second')),
    };
    const result = await commit(spec({ files: [twin] }));
    expect(result.status).toBe('validate_failed');
    expect(result.nginxOutput).toMatch(/conflicting server name .* ignored/);
    expect(result.nginxOutput).toContain('claimed twice');
    expect(existsSync(twin.path)).toBe(false);
    expect((await lb.get()).body).toBe('v1');
  });

  it('writes nothing outside a folder a local user swaps links into during the transactions', async () => {
    // A web root 'nobody' may write (filled by copy), and a root-only file elsewhere.
    chmodSync(lb.base, 0o755);
    const www = join(lb.base, 'www');
    mkdirSync(www, { mode: 0o755 });
    chownSync(www, 65534, 65534);
    const secretDir = join(lb.base, 'secret');
    mkdirSync(secretDir, { mode: 0o700 });
    const secret = join(secretDir, 'shadow');
    writeFileSync(secret, 'root only\n', { mode: 0o600 });
    const secretState = () => {
      const st = statSync(secret);
      return `${readFileSync(secret, 'utf8')} ${st.mode & 0o7777} ${st.uid}:${st.gid} ${readdirSync(secretDir).join()}`;
    };
    const before = secretState();
    const page = join(www, 'index.html');
    const stop = join(lb.base, 'stop-racer');
    const racer = spawn(
      'runuser',
      [
        '-u',
        'nobody',
        '--',
        'sh',
        '-c',
        `while [ ! -e '${stop}' ]; do
           for e in '${www}'/.apim-*; do
             case $e in *.moved | *\\*) continue ;; esac
             mv -f "$e" "$e.moved" 2>/dev/null && ln -s '${secretDir}' "$e" 2>/dev/null
           done
           ln -sfn '${secret}' '${page}' 2>/dev/null
         done`,
      ],
      { stdio: 'ignore' },
    );
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const file: TransactionFile = {
          path: page,
          content: Buffer.from(`<p>${i}</p>\n`),
          mode: '0666',
          owner: 'nobody',
          group: 'nogroup',
          // The racer keeps a link there.
          expected: 'link',
        };
        outcomes.push((await commit(spec({ files: [file], reload: false }))).status);
      }
    } finally {
      writeFileSync(stop, '');
      await new Promise((resolve) => racer.on('exit', resolve));
    }
    expect(outcomes.length).toBe(8);
    expect(secretState()).toBe(before);
    expect((await lb.get()).body).toBe('v1');
  });

  it('replaces a symbolic link at a destination instead of writing through it', async () => {
    const target = join(lb.prefix, '..', 'link-target.txt');
    writeFileSync(target, 'must stay\n', { mode: 0o600 });
    const dest = join(lb.prefix, 'conf.d', 'linked.conf');
    symlinkSync(target, dest);
    const facts = parseFacts(
      (
        await runShell(
          factsScript({
            queries: [{ kind: 'file', path: dest }],
            stateDir: lb.stateDir,
            probeSysvServices: false,
          }),
        ).done
      ).stdout,
    );
    expect(facts.files[dest]).toMatchObject({ type: 'link' });
    const file: TransactionFile = {
      ...siteFile('x', null),
      path: dest,
      content: Buffer.from('# mine\n'),
      expected: 'link',
    };
    const result = await commit(spec({ files: [file] }));
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect(lstatSync(dest).isSymbolicLink()).toBe(false);
    expect(readFileSync(dest, 'utf8')).toBe('# mine\n');
    expect(readFileSync(target, 'utf8')).toBe('must stay\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    // A link the plan did not see is a conflict, not something to write through.
    rmSync(dest);
    symlinkSync(target, dest);
    const unseen = await commit(
      spec({ files: [{ ...file, content: Buffer.from('# again\n'), expected: sha256Hex('# mine\n') }] }),
    );
    expect(unseen.status).toBe('conflict');
    expect(readFileSync(target, 'utf8')).toBe('must stay\n');
  });

  it('heals a pending reload left by an interrupted run', async () => {
    // An earlier run swapped the file but died before reloading.
    writeFileSync(lb.siteConf, lb.siteConfig('pending'));
    mkdirSync(lb.stateDir, { recursive: true });
    writeFileSync(join(lb.stateDir, 'pending-reload'), 'run-earlier\n');
    expect((await lb.get()).body).toBe('v1');
    const facts = parseFacts(
      (await runShell(factsScript({ queries: [], stateDir: lb.stateDir, probeSysvServices: false })).done)
        .stdout,
    );
    expect(facts.state.pendingReload).toBe(true);
    expect(facts.state.pendingReason).toBe('run-earlier');
    const result = await commit(spec({ reload: false }));
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect(result.pendingFound).toBe(true);
    expect(result.reloaded).toBe(true);
    expect(existsSync(join(lb.stateDir, 'pending-reload'))).toBe(false);
    expect((await lb.get()).body).toBe('pending');
  });

  it('removes stage folders of killed runs and keeps the newest run logs', async () => {
    const leftover = join(lb.stateDir, 'stage', 'run-killed');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'secret.key'), 'staged key of a run killed with SIGKILL\n');
    const runs = join(lb.stateDir, 'runs');
    mkdirSync(runs, { recursive: true });
    const old = new Date(Date.now() - 86_400_000);
    for (let i = 0; i < RUN_LOGS_TO_KEEP + 5; i++) {
      const log = join(runs, `run-old-${i}.log`);
      writeFileSync(log, '');
      utimesSync(log, old, new Date(old.getTime() + i * 1000));
    }
    const s = spec({ files: [siteFile('v2', v1())] });
    const result = await commit(s);
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect(readdirSync(join(lb.stateDir, 'stage'))).toEqual([]);
    const kept = readdirSync(runs);
    expect(kept).toHaveLength(RUN_LOGS_TO_KEEP);
    expect(kept).toContain(`${s.runId}.log`);
    // The oldest go first.
    expect(kept).not.toContain('run-old-5.log');
    expect(kept).toContain('run-old-6.log');
  });

  it('starts nginx when it is stopped and a reload is requested, even with no file changes', async () => {
    const master = lb.masterPid();
    process.kill(master, 'SIGQUIT');
    for (let i = 0; i < 100 && existsSync(lb.pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lb.pidFile)).toBe(false);
    const result = await commit(spec({ reload: true }));
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect(result.started).toBe(true);
    expect(lb.masterPid()).not.toBe(master);
    expect((await lb.get()).body).toBe('v1');
  });

  it('serializes two concurrent transactions with the lock', async () => {
    const a = {
      ...siteFile('a', null),
      path: join(lb.prefix, 'conf.d', 'a.conf'),
      content: Buffer.from('# a\n'),
    };
    const b = {
      ...siteFile('b', null),
      path: join(lb.prefix, 'conf.d', 'b.conf'),
      content: Buffer.from('# b\n'),
    };
    let firstPaused!: () => void;
    const paused = new Promise<void>((r) => (firstPaused = r));
    let firstDoneAt = 0;
    let secondLockedAt = 0;
    const first = runShell(withPause(transactionScript(spec({ files: [a] })), 2), {
      onStdout: (c) => c.includes('@@APIM paused') && firstPaused(),
    });
    const firstDone = first.done.then((r) => ((firstDoneAt = Date.now()), r));
    await paused;
    const second = runShell(transactionScript(spec({ files: [b] })), {
      onStdout: (c) => {
        if (c.includes('@@APIM lock_acquired')) secondLockedAt = Date.now();
      },
    });
    const [r1, r2] = await Promise.all([firstDone, second.done]);
    expect(parseTransactionResult(r1.stdout, r1.stderr).status).toBe('committed');
    expect(parseTransactionResult(r2.stdout, r2.stderr).status).toBe('committed');
    expect(r2.stdout).toContain('@@APIM lock_busy 1');
    expect(secondLockedAt).toBeGreaterThanOrEqual(firstDoneAt - 50);
    expect(existsSync(a.path) && existsSync(b.path)).toBe(true);
  });

  it('keeps going when SIGHUP hits mid-way (dropped SSH connection)', async () => {
    const s = spec({ files: [siteFile('after-hup', v1())] });
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    const run = runShell(withPause(transactionScript(s), 1), {
      onStdout: (c) => c.includes('@@APIM paused') && resume(),
    });
    await paused;
    process.kill(-run.pid, 'SIGHUP');
    const out = await run.done;
    expect(parseTransactionResult(out.stdout, out.stderr).status).toBe('committed');
    expect((await lb.get()).body).toBe('after-hup');
    expect(readFileSync(join(lb.stateDir, 'runs', `${s.runId}.log`), 'utf8')).toContain(
      '@@APIM status committed',
    );
  });

  it('writes keys with their final mode (0600) and creates directories', async () => {
    const dir = join(lb.prefix, 'ssl');
    const key: TransactionFile = {
      path: join(dir, 'lb.key'),
      content: Buffer.from('-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n'),
      mode: '0600',
      owner: 'root',
      group: 'root',
      expected: 'absent',
    };
    const s = spec({
      files: [key],
      directories: [{ path: dir, mode: '0750', owner: 'root', group: 'root' }],
    });
    // That each file is made with its mode (umask) before content goes in: test/unit/remote/safe-writes.test.ts.
    const result = await commit(s);
    expect(result.status, result.messages.join('\n')).toBe('committed');
    expect(statSync(key.path).mode & 0o7777).toBe(0o600);
    expect(statSync(dir).mode & 0o7777).toBe(0o750);
  });

  it('rolls back to the previous snapshot on demand', async () => {
    const r2 = await commit(spec({ files: [siteFile('v2', v1())] }));
    expect(r2.status).toBe('committed');
    const r3 = await commit(spec({ files: [siteFile('v3', v1())] }));
    expect(r3.status).toBe('committed');
    expect((await lb.get()).body).toBe('v3');
    const opts = {
      stateDir: lb.stateDir,
      confPath: lb.confPath,
      nginxBinary: NGINX_BINARY,
      nginxPrefix: `${lb.prefix}/`,
      serviceManager: 'none' as const,
    };
    const out = await runShell(rollbackScript(opts)).done;
    const rb = parseRollbackResult(out.stdout, out.stderr);
    expect(rb.status, rb.messages.join('\n')).toBe('rolled_back');
    expect(rb.restoredSnapshots).toEqual([r3.snapshotId]);
    expect(rb.reloaded).toBe(true);
    expect((await lb.get()).body).toBe('v2');
    // Back to before r2 as well: the next rollback goes one further.
    const out2 = await runShell(rollbackScript(opts)).done;
    expect(parseRollbackResult(out2.stdout, out2.stderr).status).toBe('rolled_back');
    expect((await lb.get()).body).toBe('v1');
    const none = parseRollbackResult(
      ...(Object.values(await runShell(rollbackScript(opts)).done).slice(1) as [string, string]),
    );
    expect(none.status).toBe('no_snapshot');
  });
});
