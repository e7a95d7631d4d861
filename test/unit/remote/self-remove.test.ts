import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { opsScript } from '../../../src/remote/index.js';

const home = mkdtempSync(join(tmpdir(), 'apim-self-remove-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('program: an uploaded private script removes itself', () => {
  it('deletes its own file in the private upload folder once parsed, and still runs to the end', () => {
    const dir = join(home, '.apim-provision', 'tmp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'commit-run.sh.abc');
    const made = join(home, 'made-by-the-script');
    writeFileSync(file, opsScript([{ op: 'mkdir', path: made }]));
    expect(execFileSync('sh', [file], { encoding: 'utf8' })).toContain('@@APIM status ok');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(made)).toBe(true);
  });

  it('leaves files elsewhere alone, and scripts read from stdin remove nothing', () => {
    const file = join(home, 'script.sh');
    const script = opsScript([{ op: 'mkdir', path: join(home, 'elsewhere') }]);
    writeFileSync(file, script);
    expect(execFileSync('sh', [file], { encoding: 'utf8' })).toContain('@@APIM status ok');
    expect(existsSync(file)).toBe(true);
    expect(execFileSync('sh', ['-s'], { input: script, encoding: 'utf8', cwd: home })).toContain(
      '@@APIM status ok',
    );
    expect(existsSync(file)).toBe(true);
  });
});
