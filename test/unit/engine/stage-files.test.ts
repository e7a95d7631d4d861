/**
 * stageFiles' diffs (src/engine/stage-files.ts) against an in-memory host: a file's diffFilter
 * masks what the diff shows of both sides (a node file's passwords in its context lines), never
 * what is written.
 */
import { describe, expect, it } from 'vitest';
import { stageFiles } from '../../../src/engine/stage-files.js';
import { maskSecretValues } from '../../../src/nodes/index.js';
import { FakeHostConnection } from './support/fake-connection.js';
import { FakeHost } from './support/fake-host.js';
import { inventoryYaml, loadTestInventory, openSession, runOptions } from './support/engine-fixtures.js';

const TOML = '/opt/wso2am/repository/conf/deployment.toml';
const BEFORE =
  '[super_admin]\nusername = "admin"\npassword = "Adm1n-S3cret"\n\n[server]\nhostname = "old.example.com"\n';
const AFTER = BEFORE.replace('old.example.com', 'api.example.com');

describe('stageFiles with --diff', () => {
  it("applies the file's diffFilter to both sides of the diff, and stages the content unfiltered", async () => {
    const host = new FakeHost('lb1');
    host.putFile(TOML, BEFORE, '0640', 'wso2carbon', 'wso2carbon');
    const inventory = loadTestInventory(inventoryYaml());
    const session = await openSession(
      inventory,
      'lb1',
      new FakeHostConnection(host),
      runOptions({ diff: true }),
    );
    const changes = await stageFiles(
      session,
      [
        {
          path: TOML,
          content: Buffer.from(AFTER),
          mode: '0640',
          owner: 'wso2carbon',
          group: 'wso2carbon',
          secret: false,
          diffFilter: maskSecretValues,
        },
      ],
      [],
    );
    if (typeof changes === 'string') throw new Error(changes);
    const diff = changes[0]?.diff ?? '';
    expect(diff).toMatch(/^-hostname = "old\.example\.com"$/m);
    expect(diff).toMatch(/^\+hostname = "api\.example\.com"$/m);
    expect(diff).toMatch(/^ password = "\*{8}"$/m);
    expect(diff).not.toContain('Adm1n-S3cret');
    expect(session.staged.files.get(TOML)?.desired.content.toString()).toBe(AFTER);
  });
});
