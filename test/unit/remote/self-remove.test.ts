import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleScript } from '../../../src/remote/shell.js';

const home = mkdtempSync(join(tmpdir(), 'apim-self-remove-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('assembleScript: an uploaded private script removes itself', () => {
  it('deletes its own file in the private upload folder once parsed, and still runs to the end', () => {
    const dir = join(home, '.apim-provision', 'tmp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'commit-run.sh.abc');
    writeFileSync(file, assembleScript('t', ['echo "ran $(test -e "$0" && echo present || echo gone)"']));
    expect(execFileSync('sh', [file], { encoding: 'utf8' })).toBe('ran gone\n');
    expect(existsSync(file)).toBe(false);
  });

  it('leaves files elsewhere alone, and scripts read from stdin remove nothing', () => {
    const file = join(home, 'script.sh');
    const script = assembleScript('t', ['echo ok']);
    writeFileSync(file, script);
    expect(execFileSync('sh', [file], { encoding: 'utf8' })).toBe('ok\n');
    expect(existsSync(file)).toBe(true);
    expect(execFileSync('sh', ['-s'], { input: script, encoding: 'utf8', cwd: home })).toBe('ok\n');
    expect(existsSync(file)).toBe(true);
  });
});
