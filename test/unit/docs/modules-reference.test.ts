import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modulesReference } from '../../../src/modules/docs.js';
import { MODULES, moduleSchema } from '../../../src/modules/index.js';
import { argumentNames } from '../../../src/modules/args.js';
import { PROGRAMS } from '../../../src/remote/index.js';

const root = new URL('../../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

describe('docs/modules.md, generated from the module registry', () => {
  it('is current (regenerate with npm run docs:modules)', () => {
    expect(read('docs/modules.md'), 'docs/modules.md is stale: run npm run docs:modules').toBe(
      modulesReference(),
    );
  });

  it.each(MODULES.map((m) => m.name))('documents %s and every argument it takes', (name) => {
    const doc = read('docs/modules.md');
    const section = doc.slice(doc.indexOf(`## ${name}\n`));
    expect(section.startsWith(`## ${name}\n`)).toBe(true);
    const body = section.slice(0, section.indexOf('\n## ', 1) + 1 || undefined);
    for (const arg of argumentNames(moduleSchema(name))) expect(body).toContain(`| \`${arg}\` |`);
  });

  it('README names every module', () => {
    const readme = read('README.md');
    for (const m of MODULES) expect(readme).toContain(`\`${m.name}\``);
  });
});

describe('the package ships what the CLI runs', () => {
  it('npm pack holds the bundled CLI and the remote programs next to it', () => {
    if (!existsSync(new URL('dist/bundle/main.cjs', root)))
      throw new Error('dist/ is missing: run npm run build (npm test does it first)');
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    // The bundle runs the programs its build assembled (src/remote/scripts.ts), not shell sources.
    for (const name of Object.keys(PROGRAMS))
      expect(files, `dist/bundle/programs/${name}.sh`).toContain(`dist/bundle/programs/${name}.sh`);
    for (const f of [
      'bin/apim-provision.js',
      'bin/load-bundle.js',
      'dist/bundle/main.cjs',
      'dist/bundle/main.cjs.v8cache',
      'playbooks/site.yml',
      'README.md',
    ])
      expect(files).toContain(f);
    expect([...files].some((f) => f.startsWith('vagrant/.lab/') || f.startsWith('test/'))).toBe(false);
  });

  it('the bundle finds its version, playbook and templates from any working folder', () => {
    const bin = fileURLToPath(new URL('bin/apim-provision.js', root));
    const cwd = mkdtempSync(`${tmpdir()}/apim-bundle-`);
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
    const manifest = JSON.parse(read('package.json')) as { version: string };
    expect(run('--version').trim()).toBe(manifest.version);
    const inventory = fileURLToPath(new URL('inventories/single-node.yml', root));
    expect(run('validate', inventory)).toMatch(/^valid: 1 load balancer\(s\), \d+ play\(s\)$/m);
  });

  it("the bundle's code cache is one this Node accepts", async () => {
    const { runBundle, CODE_CACHE } = (await import(new URL('bin/load-bundle.js', root).href)) as {
      runBundle(this: void, cache: Buffer | undefined): { script: { cachedDataRejected?: boolean } };
      CODE_CACHE: string;
    };
    expect(runBundle(readFileSync(CODE_CACHE)).script.cachedDataRejected).toBe(false);
  });

  it('a rejected or missing code cache only costs the plain compile', () => {
    const copy = mkdtempSync(`${tmpdir()}/apim-cache-`);
    cpSync(new URL('bin', root), join(copy, 'bin'), { recursive: true });
    cpSync(new URL('dist', root), join(copy, 'dist'), { recursive: true });
    cpSync(new URL('package.json', root), join(copy, 'package.json'));
    symlinkSync(fileURLToPath(new URL('node_modules', root)), join(copy, 'node_modules'));
    const cache = join(copy, 'dist', 'bundle', 'main.cjs.v8cache');
    const version = () =>
      execFileSync(process.execPath, [join(copy, 'bin', 'apim-provision.js'), '--version'], {
        encoding: 'utf8',
      }).trim();
    const manifest = JSON.parse(read('package.json')) as { version: string };
    writeFileSync(cache, 'not a V8 code cache');
    expect(version()).toBe(manifest.version);
    rmSync(cache);
    expect(version()).toBe(manifest.version);
  });
});
