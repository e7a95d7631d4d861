import { describe, expect, it } from 'vitest';
import {
  encodeValue,
  sha256Hex,
  parseRollbackResult,
  parseTransactionResult,
  transactionScript,
  type TransactionSpec,
} from '../../../src/remote/index.js';
import { field, inputRows, payloadContents, scriptInputs } from '../../support/script-input.js';
import { baseTransaction } from './fixtures.js';

const b64 = (s: string) => encodeValue(s);

describe('transactionScript', () => {
  it('hands the script its plan as data: hashes, modes, owners, retirements, records', () => {
    const inputs = scriptInputs(transactionScript(baseTransaction));
    const plan = inputRows(inputs, 'APIM_PLAN').map((row) => [...row.slice(0, -1), field(row.at(-1)!)]);
    expect(plan).toEqual([
      ['D', '0', '0755', 'root', 'adm', '-', '-', '/var/log/nginx/apim'],
      [
        'F',
        '0',
        '0644',
        'root',
        'root',
        'absent',
        sha256Hex('server { }\n'),
        "/etc/nginx/conf.d/it's a $file.conf",
      ],
      [
        'F',
        '1',
        '0600',
        'root',
        'root',
        'a'.repeat(64),
        sha256Hex(baseTransaction.files[1]!.content),
        '/etc/ssl/apim/lb.key',
      ],
      ['X', '0', '-', '-', '-', 'b'.repeat(64), '-', '/etc/nginx/conf.d/old.conf'],
    ]);
    // Plain paths travel as themselves (no base64 process per path on the host), others base64.
    expect(inputRows(inputs, 'APIM_PLAN').map((row) => row.at(-1))).toEqual([
      '=/var/log/nginx/apim',
      b64("/etc/nginx/conf.d/it's a $file.conf"),
      '=/etc/ssl/apim/lb.key',
      '=/etc/nginx/conf.d/old.conf',
    ]);
    // Text travels as itself, for the shell's printf (no base64 process per file on the host).
    expect(inputRows(inputs, 'APIM_PAYLOADS')).toEqual([
      ['0', '@'],
      ['1', '@'],
    ]);
    expect([inputs.APIM_PAYLOAD_0, inputs.APIM_PAYLOAD_1]).toEqual([
      'server { }\n',
      baseTransaction.files[1]!.content.toString(),
    ]);
    expect(inputs.APIM_RECORD_MANAGERS).toBe('apim_lb_config apim_tls_certificates');
    expect(inputRows(inputs, 'APIM_RECORDS').map(([m, p]) => [m, field(p!)])).toEqual([
      ['apim_lb_config', "/etc/nginx/conf.d/it's a $file.conf"],
      ['apim_tls_certificates', '/etc/ssl/apim/lb.key'],
    ]);
    // staged validation with the conf tree rewritten into the stage, and the outside key file too
    expect(inputs.APIM_REWRITE).toContain('s#/etc/nginx/#/var/lib/apim-provision/stage/run-1/tree/#g');
    expect(inputs.APIM_REWRITE).toContain(
      's#/etc/ssl/apim/lb\\.key#/var/lib/apim-provision/stage/run-1/ext/etc/ssl/apim/lb.key#g',
    );
    expect(inputs.HEALTH_HOST).toBe('gw.example.com');
    expect(inputs.STAGE_CONF).toBe('/var/lib/apim-provision/stage/run-1/tree/nginx.conf');
  });

  it('sends bytes that are not UTF-8 text, or hold a NUL, base64; text as itself', () => {
    const contents = [
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from('a\0b'),
      Buffer.from("it's \u00e9t\u00e9 $HOME `x` \\\n\n"),
      Buffer.alloc(0),
    ];
    const spec: TransactionSpec = {
      ...baseTransaction,
      files: contents.map((content, i) => ({
        ...baseTransaction.files[0]!,
        path: `/etc/nginx/conf.d/${i}.conf`,
        content,
      })),
    };
    const inputs = scriptInputs(transactionScript(spec));
    expect(inputRows(inputs, 'APIM_PAYLOADS').map(([, data]) => data)).toEqual([
      contents[0]!.toString('base64'),
      contents[1]!.toString('base64'),
      '@',
      '@',
    ]);
    expect(payloadContents(inputs)).toEqual(new Map(contents.map((c, i) => [i, c])));
    expect(inputs.APIM_PAYLOAD_0).toBeUndefined();
  });

  it("hands over the facts' nginx -V with the binary's identity, empty when unknown", () => {
    const text = "nginx version: nginx/1.22.1\nconfigure arguments: --prefix='/usr/share/nginx'";
    const seen = { identity: '2049 131 1290744 1700000000 1700000001', text };
    const inputs = scriptInputs(transactionScript({ ...baseTransaction, nginxSeen: seen }));
    expect([inputs.NGINX_SEEN_ID, inputs.NGINX_SEEN_V]).toEqual([seen.identity, text]);
    const none = scriptInputs(transactionScript(baseTransaction));
    expect([none.NGINX_SEEN_ID, none.NGINX_SEEN_V]).toEqual(['', '']);
  });

  it('ships no test hook: the pause point is a comment a test-only entry may fill', () => {
    const script = transactionScript(baseTransaction);
    expect(script).toContain('# apim-test-hook: after-snapshot');
    expect(script).not.toMatch(/test-pause|APIM_TEST|sleep "\$APIM_PAUSE/);
  });

  it('rejects specs the script could not handle safely', () => {
    const bad = (over: Partial<TransactionSpec>) => () => transactionScript({ ...baseTransaction, ...over });
    const file = baseTransaction.files[0]!;
    expect(bad({ runId: '../x' })).toThrow(/runId/);
    expect(bad({ stateDir: '/etc/nginx/state' })).toThrow(/must not contain/);
    expect(bad({ confPath: '/usr/local/nginx.conf' })).toThrow(/inside confPrefix/);
    expect(bad({ snapshotsToKeep: 0 })).toThrow(/snapshotsToKeep/);
    expect(bad({ files: [{ ...file, mode: 'rw-r--r--' }] })).toThrow(/mode/);
    expect(bad({ files: [{ ...file, mode: '644' }] })).toThrow(/mode/);
    expect(bad({ files: [{ ...file, owner: 'root; rm -rf /' }] })).toThrow(/owner/);
    expect(bad({ files: [{ ...file, path: 'relative.conf' }] })).toThrow(/absolute/);
    expect(bad({ files: [{ ...file, path: '/etc/nginx/a\nb' }] })).toThrow(/newline/);
    expect(bad({ files: [{ ...file, path: '/etc/nginx/conf.d/../../../tmp/x' }] })).toThrow(/normalised/);
    expect(bad({ files: [{ ...file, path: '/etc/nginx//conf.d/x' }] })).toThrow(/normalised/);
    expect(bad({ deletes: [{ path: file.path, expected: 'absent' }] })).toThrow(/twice/);
    expect(bad({ files: [{ ...file, expected: 'ABC' }] })).toThrow(/sha256/);
    expect(bad({ nginxSeen: { identity: '2049 131; rm -rf /', text: '' } })).toThrow(/identity/);
    expect(
      bad({ records: { managers: ['apim_lb_config'], files: [{ manager: 'other', path: '/x' }] } }),
    ).toThrow(/not among the managers/);
  });
});

describe('parseTransactionResult', () => {
  it('reads a commit with reload and snapshot', () => {
    const out = [
      '@@APIM run r1',
      '@@APIM lock_acquired 1',
      `@@APIM change ${b64('/etc/nginx/conf.d/a.conf')}`,
      '@@APIM change =/etc/nginx/ssl/apim.key',
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
      changed: ['/etc/nginx/conf.d/a.conf', '/etc/nginx/ssl/apim.key'],
      removed: [],
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
