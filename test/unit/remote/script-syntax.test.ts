import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  factsScript,
  installScript,
  readFilesScript,
  rollbackScript,
  transactionScript,
} from '../../../src/remote/index.js';
import { baseTransaction, installs, rollbackOptions } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-syntax-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parses (does not run) a script with each shell; throws with the shell's message on a syntax error. */
function checkSyntax(name: string, script: string): void {
  const file = join(dir, `${name}.sh`);
  writeFileSync(file, script);
  for (const shell of ['dash', 'bash', 'sh']) {
    execFileSync(shell, ['-n', file], { stdio: 'pipe' });
  }
}

describe('generated scripts are valid POSIX sh (dash and bash)', () => {
  it('transaction: full spec, empty healing spec, no validation', () => {
    checkSyntax('tx-full', transactionScript(baseTransaction));
    checkSyntax(
      'tx-heal',
      transactionScript({
        ...baseTransaction,
        files: [],
        directories: [],
        deletes: [],
        managedFiles: [],
        healthCheck: undefined,
      }),
    );
    checkSyntax(
      'tx-novalidate',
      transactionScript({ ...baseTransaction, validate: false, reload: false, serviceManager: 'none' }),
    );
  });

  it('facts, read-files and rollback', () => {
    checkSyntax(
      'facts',
      factsScript({ paths: ['/etc/nginx/a b.conf', "/x/'q'"], stateDir: '/var/lib/apim-provision' }),
    );
    checkSyntax(
      'facts-empty',
      factsScript({ paths: [], stateDir: '/var/lib/apim-provision', confPath: '/etc/nginx/nginx.conf' }),
    );
    checkSyntax('read', readFilesScript(['/etc/nginx/nginx.conf', '/tmp/$(reboot)']));
    checkSyntax('rollback', rollbackScript(rollbackOptions));
    checkSyntax('rollback-id', rollbackScript({ ...rollbackOptions, snapshotId: 'run-1' }));
  });

  it.each(Object.entries(installs))('install %s', (name, spec) => {
    checkSyntax(`install-${name}`, installScript(spec));
  });

  it('uses no bashisms that dash would only catch at run time', () => {
    for (const script of [
      transactionScript(baseTransaction),
      rollbackScript(rollbackOptions),
      installScript(installs['apt-plus']!),
    ]) {
      expect(script).not.toMatch(
        /\[\[ |\bfunction\s+\w+|\blocal\s|<<<|\$'|\bsource\s|&>|\bdeclare\b|\bset -o pipefail/,
      );
      expect(script).not.toMatch(/set -x|set -o xtrace/);
    }
  });
});
