import { describe, expect, it } from 'vitest';
import {
  encodeValue,
  parseRollbackResult,
  parseTransactionResult,
  transactionScript,
  type TransactionSpec,
} from '../../../src/remote/index.js';
import { baseTransaction } from './fixtures.js';

const b64 = (s: string) => encodeValue(s);

describe('transactionScript', () => {
  it('embeds the plan: expected and desired hashes, modes, owners, stale-file inputs', () => {
    const script = transactionScript(baseTransaction);
    expect(script).toMatch(/^F 0 0644 root root absent [0-9a-f]{64} /m);
    expect(script).toMatch(new RegExp(`^F 1 0600 root root ${'a'.repeat(64)} [0-9a-f]{64} `, 'm'));
    expect(script).toMatch(/^D 0 0755 root adm - - /m);
    expect(script).toMatch(/^X 0 - - - absent - /m);
    expect(script).toContain("trap '' HUP PIPE");
    expect(script).toContain('exec </dev/null');
    // staged validation with the conf tree rewritten into the stage, and the outside key file too
    expect(script).toContain('s#/etc/nginx/#/var/lib/apim-provision/stage/run-1/tree/#g');
    expect(script).toContain(
      's#/etc/ssl/apim/lb\\.key#/var/lib/apim-provision/stage/run-1/ext/etc/ssl/apim/lb.key#g',
    );
    expect(script).toContain('-t -c "$STAGE_CONF" -p "$WORK/tree/"');
    expect(script).toContain("HEALTH_HOST='gw.example.com'");
  });

  it('rejects specs the script could not handle safely', () => {
    const bad = (over: Partial<TransactionSpec>) => () => transactionScript({ ...baseTransaction, ...over });
    expect(bad({ runId: '../x' })).toThrow(/runId/);
    expect(bad({ stateDir: '/etc/nginx/state' })).toThrow(/must not contain/);
    expect(bad({ confPath: '/usr/local/nginx.conf' })).toThrow(/inside confPrefix/);
    expect(bad({ snapshotsToKeep: 0 })).toThrow(/snapshotsToKeep/);
    expect(bad({ files: [{ ...baseTransaction.files[0]!, mode: 'rw-r--r--' }] })).toThrow(/mode/);
    expect(bad({ files: [{ ...baseTransaction.files[0]!, owner: 'root; rm -rf /' }] })).toThrow(/owner/);
    expect(bad({ files: [{ ...baseTransaction.files[0]!, path: 'relative.conf' }] })).toThrow(/absolute/);
    expect(bad({ files: [{ ...baseTransaction.files[0]!, path: '/etc/nginx/a\nb' }] })).toThrow(/newline/);
    expect(bad({ deletes: [{ path: baseTransaction.files[0]!.path, expectedSha256: null }] })).toThrow(
      /twice/,
    );
    expect(bad({ files: [{ ...baseTransaction.files[0]!, expectedSha256: 'ABC' }] })).toThrow(/sha256/);
  });
});

describe('parseTransactionResult', () => {
  it('reads a commit with reload and snapshot', () => {
    const out = [
      '@@APIM run r1',
      '@@APIM lock_acquired 1',
      `@@APIM change ${b64('/etc/nginx/conf.d/a.conf')}`,
      '@@APIM validated 1',
      '@@APIM snapshot r1',
      '@@APIM swapped 1',
      '@@APIM reloaded 1',
      '@@APIM committed 1',
      '@@APIM status committed',
    ].join('\n');
    expect(parseTransactionResult(out, '')).toEqual({
      status: 'committed',
      rolledBack: false,
      conflicts: [],
      reloaded: true,
      started: false,
      snapshotId: 'r1',
      changed: ['/etc/nginx/conf.d/a.conf'],
      staleRemoved: [],
      pendingFound: false,
      messages: [],
    });
  });

  it('reads a refused configuration with nginx output', () => {
    const nginx =
      'nginx: [emerg] unknown directive "bogus" in /etc/nginx/conf.d/a.conf:1\nnginx: configuration file /etc/nginx/nginx.conf test failed';
    const r = parseTransactionResult(
      `@@APIM validate_failed ${b64(nginx)}\n@@APIM status validate_failed\n`,
      '',
    );
    expect(r.status).toBe('validate_failed');
    expect(r.nginxOutput).toBe(nginx);
    expect(r.rolledBack).toBe(false);
  });

  it('reads a failed reload that was rolled back, and conflicts', () => {
    const r = parseTransactionResult(
      `@@APIM reload_failed ${b64('[emerg] bind() failed')}\n@@APIM rolled_back 1\n@@APIM status reload_failed\n`,
      '',
    );
    expect(r).toMatchObject({
      status: 'reload_failed',
      rolledBack: true,
      nginxOutput: '[emerg] bind() failed',
    });
    const c = parseTransactionResult(
      `@@APIM conflict ${b64('/etc/nginx/a b.conf')}\n@@APIM status conflict\n`,
      '',
    );
    expect(c.conflicts).toEqual(['/etc/nginx/a b.conf']);
  });

  it('reports an interrupted script as an error with stderr', () => {
    const r = parseTransactionResult('@@APIM run r1\n@@APIM snapshot r1\n', 'Killed');
    expect(r.status).toBe('error');
    expect(r.messages.join('\n')).toMatch(/without reporting a status[\s\S]*Killed/);
  });
});

describe('parseRollbackResult', () => {
  it('reads a rollback and a refused one', () => {
    expect(
      parseRollbackResult(
        '@@APIM undone r3\n@@APIM undone r2\n@@APIM reloaded 1\n@@APIM rolled_back_to r2\n@@APIM status rolled_back\n',
        '',
      ),
    ).toMatchObject({
      status: 'rolled_back',
      restoredSnapshots: ['r3', 'r2'],
      reloaded: true,
      keptCurrent: false,
    });
    const refused = parseRollbackResult(
      `@@APIM validate_failed ${b64('test failed')}\n@@APIM kept_current 1\n@@APIM status validate_failed\n`,
      '',
    );
    expect(refused).toMatchObject({
      status: 'validate_failed',
      keptCurrent: true,
      nginxOutput: 'test failed',
    });
  });
});
