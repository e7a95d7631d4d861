/**
 * The node transaction's writes by the real program (as root, real sh, no API-M: no keystore, no
 * restart): text payloads written from their input values, other bytes decoded, in two folders.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  nodeTransactionScript,
  parseNodeTransactionResult,
  sha256Hex,
  type NodeTransactionSpec,
} from '../../../src/remote/index.js';
import { runSh } from './traced-sh.js';

let base: string;
beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the transaction writes as root: run these tests as root');
  base = mkdtempSync(join(tmpdir(), 'apim-node-txn-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a node transaction writes', () => {
  it('text and other bytes in two folders exactly, a base64 and a cat only for the bytes that are not text', () => {
    const home = join(base, 'wso2am');
    const conf = join(home, 'repository', 'conf');
    mkdirSync(conf, { recursive: true });
    const toml = join(conf, 'deployment.toml');
    writeFileSync(toml, '[server]\nhostname = "old"\n');
    const contents = {
      [toml]: Buffer.from('[server]\nhostname = "gw.example.com"\n# it\'s $HOME\n'),
      [join(home, 'resources', 'blob.bin')]: Buffer.from([0x00, 0x01, 0xff, 0x0a]),
      [join(home, 'resources', 'settings.json')]: Buffer.from('{"a": "\u00e9"}'),
    };
    const spec: NodeTransactionSpec = {
      runId: 'node-run-1',
      stateDir: join(base, 'state'),
      files: Object.entries(contents).map(([path, content], i) => ({
        path,
        content,
        mode: '0644',
        owner: 'root',
        group: 'root',
        expected: i === 0 ? sha256Hex(Buffer.from('[server]\nhostname = "old"\n')) : 'absent',
      })),
      directories: [{ path: join(home, 'resources'), mode: '0750', owner: 'root', group: 'root' }],
      keystores: [],
      snapshotsToKeep: 3,
      lockWaitSeconds: 5,
    };
    const r = runSh(nodeTransactionScript(spec), { log: join(base, 'strace') });
    expect(parseNodeTransactionResult(r.out, '').status).toBe('committed');
    for (const [path, content] of Object.entries(contents)) expect(readFileSync(path)).toEqual(content);
    expect((statSync(join(home, 'resources')).mode & 0o7777).toString(8)).toBe('750');
    // A cat for the old deployment.toml (the snapshot) and one for the binary file; a folder each.
    const count = (name: string) => r.execs.filter((e) => e === name).length;
    expect([count('base64'), count('cat'), count('mktemp')]).toEqual([1, 2, 2]);
  });
});
