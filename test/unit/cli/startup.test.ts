import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBundle } from '../../../bin/load-bundle.js';
import { PROGRAMS, programScripts, type ProgramName } from '../../../src/remote/index.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bundle = join(root, 'dist', 'bundle', 'main.cjs');
const work = mkdtempSync(join(tmpdir(), 'apim-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `node_modules/a/b.js` -> `a`, `node_modules/@s/p/x.js` -> `@s/p`; src/ files -> undefined. */
function packageOf(path: string): string | undefined {
  const parts = path.replace(/^.*?node_modules\//, 'node_modules/').split('/');
  if (parts[0] !== 'node_modules') return undefined;
  return parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1];
}

/**
 * The bundled modules esbuild hoists to the bundle's top level (no __esm / __commonJS wrapper):
 * those always run at start-up. A module's code follows its `// <path>` line.
 */
function hoistedModules(source: string): string[] {
  const marks = [...source.matchAll(/^\/\/ ((?:node_modules|src)\/\S+)$/gm)];
  return marks.flatMap((m, i) => {
    const region = source.slice(m.index, marks[i + 1]?.index ?? source.length);
    return region.includes(`${JSON.stringify(m[1])}(`) ? [] : [m[1]!];
  });
}

interface Probe {
  instrumented: boolean;
  required: string[];
  failed: string[];
  initialised: string[];
}

/** What the built CLI loads when run with `args`, whatever its exit code (startup-probe.mjs). */
function probeRun(args: string[]): Probe {
  const out = join(work, `${args[0]!.replace(/\W/g, '')}.json`);
  spawnSync(
    process.execPath,
    [
      '--import',
      join(import.meta.dirname, 'startup-probe.mjs'),
      join(root, 'bin', 'apim-provision.js'),
      ...args,
    ],
    {
      cwd: root,
      env: { ...process.env, APIM_STARTUP_PROBE_OUT: out },
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  return JSON.parse(readFileSync(out, 'utf8')) as Probe;
}

/** The packages the built CLI evaluates when run with `args`. */
function packagesLoadedBy(args: string[]): Set<string> {
  const probe = probeRun(args);
  // Without the instrumented helpers nothing bundled would be seen, and every check below would pass.
  expect(probe.instrumented, 'startup-probe.mjs found the bundle helpers it counts').toBe(true);
  const packages = new Set<string>();
  for (const r of probe.required) {
    if (r.startsWith('node:') || r.startsWith('.') || r.startsWith('/')) continue;
    packages.add(r.startsWith('@') ? r.split('/').slice(0, 2).join('/') : r.split('/')[0]!);
  }
  // A lazy stand-in (scripts/build.mjs) is not the module it stands for.
  for (const m of [...probe.initialised, ...hoistedModules(readFileSync(bundle, 'utf8'))]) {
    const name = m.startsWith('lazy-') ? undefined : packageOf(m);
    if (name) packages.add(name);
  }
  return packages;
}

/**
 * Loaded only by what needs them: connections, the lab, graphs, terminal text widths, 2.6 site.json,
 * templates, a terminal's live progress.
 */
const LAZY = ['ssh2', 'execa', '@viz-js/viz', 'string-width', 'jsonc-parser', 'nunjucks', 'listr2'];

/** An inventory whose API hostname is the template `api` (single node, one load balancer). */
function templatedInventory(name: string, api: string): string {
  const file = join(work, name);
  writeFileSync(
    file,
    [
      'all:',
      '  vars:',
      "    apim_version: '4.x'",
      '    apim_pattern: single-node',
      '    empty: []',
      '    apim_hostnames:',
      `      api: ${JSON.stringify(api)}`,
      '      gw: gw.example.com',
      '  children:',
      '    loadbalancers:',
      '      hosts:',
      '        lb1: { ansible_host: 198.51.100.10 }',
      '    apim_all_in_one:',
      '      hosts:',
      '        apim1: { ansible_host: 192.0.2.10 }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('start-up of the built CLI', () => {
  if (!existsSync(bundle)) throw new Error('dist/ is missing: run npm run build (npm test does it first)');

  it('reads a bundle that is ASCII, as bin/load-bundle.js decodes it (latin1)', () => {
    expect(isAscii(readFileSync(bundle))).toBe(true);
  });

  it('has a code cache V8 accepts for the bundle (else every run compiles 5 MB of JavaScript)', () => {
    const { script } = runBundle(readFileSync(`${bundle}.v8cache`));
    expect(script.cachedDataRejected).toBe(false);
  });

  it('ships each remote program as src/remote/sh assembles it (the build writes them once)', () => {
    // The bundle reads these and nothing else (scripts.ts): after an edit of src/remote/sh this
    // fails until `npm run build` has run again.
    const built = join(root, 'dist', 'bundle', 'programs');
    expect(readdirSync(built).sort()).toEqual(
      Object.keys(PROGRAMS)
        .map((n) => `${n}.sh`)
        .sort(),
    );
    for (const name of Object.keys(PROGRAMS) as ProgramName[])
      expect(readFileSync(join(built, `${name}.sh`), 'utf8'), `${name}: run npm run build`).toBe(
        programScripts(name),
      );
  });

  it('--version loads none of the heavy dependencies', () => {
    const loaded = packagesLoadedBy(['--version']);
    expect(loaded.has('yargs'), 'the probe sees bundled packages').toBe(true);
    for (const name of LAZY) expect(loaded.has(name), `${name} loaded by --version`).toBe(false);
  });

  it('validate reads YAML but connects nowhere, so loads no SSH client', () => {
    const loaded = packagesLoadedBy(['validate', 'inventories/single-node.yml']);
    expect(loaded.has('js-yaml') || loaded.has('yaml'), 'the probe sees what validate uses').toBe(true);
    for (const name of LAZY) expect(loaded.has(name), `${name} loaded by validate`).toBe(false);
  });

  it('apply runs the bundled ssh2 with its native crypto binding, from node_modules', () => {
    // Nothing listens on port 1: ssh2 is loaded for the connection, which is then refused.
    const inventory = join(work, 'refused.yml');
    writeFileSync(
      inventory,
      [
        'all:',
        "  vars: { apim_version: '4.x', apim_pattern: single-node }",
        '  children:',
        '    loadbalancers:',
        '      hosts:',
        '        lb1: { ansible_host: 127.0.0.1, ansible_port: 1, ansible_user: nobody }',
        '    apim_all_in_one:',
        '      hosts:',
        '        apim1: { ansible_host: 192.0.2.10 }',
        '',
      ].join('\n'),
    );
    const probe = probeRun(['apply', inventory, '--limit', 'lb1', '--check', '-T', '5']);
    expect(probe.instrumented).toBe(true);
    expect(probe.initialised.some((m) => m.startsWith('node_modules/ssh2/'))).toBe(true);
    // Its client, not its index: no SSH server, no HTTP(S) agents (node:http, https, tls).
    expect(probe.initialised.filter((m) => /ssh2\/lib\/(index|server|http-agents)\.js$/.test(m))).toEqual([]);
    expect(probe.required.filter((r) => /^(node:)?(https?|tls)$/.test(r))).toEqual([]);
    // Its stdout is no terminal: plain lines, listr2 not even evaluated (create-reporter.ts).
    const evaluated = [...probe.initialised, ...hoistedModules(readFileSync(bundle, 'utf8'))];
    expect(evaluated.filter((m) => m.startsWith('node_modules/listr2/'))).toEqual([]);
    // ssh2 falls back to slower JavaScript ciphers, silently, when its binding does not load.
    const binding = 'ssh2/lib/protocol/crypto/build/Release/sshcrypto.node';
    expect(probe.required).toContain(binding);
    expect(probe.failed).not.toContain(binding);
  });

  it('a template renders with the sandbox patched in, though nunjucks is loaded on first use', () => {
    // Python's truth (the compiler patch): `not []` is true, where JavaScript's `![]` is false.
    const truth = templatedInventory('truth.yml', "{{ 'py' if not empty else 'js' }}.example.com");
    expect(packagesLoadedBy(['render', truth]).has('nunjucks'), 'the render loads nunjucks').toBe(true);
    const rendered = spawnSync(process.execPath, [join(root, 'bin', 'apim-provision.js'), 'render', truth], {
      encoding: 'utf8',
    });
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain('server_name py.example.com;');
    // A computed name (the runtime patch): no static check sees 'constructor' here.
    const escape = templatedInventory('escape.yml', "{{ empty['constr' ~ 'uctor'] }}");
    const refused = spawnSync(process.execPath, [join(root, 'bin', 'apim-provision.js'), 'render', escape], {
      encoding: 'utf8',
    });
    expect(refused.status).toBe(4);
    expect(refused.stderr).toContain("SandboxViolation: 'constructor' is not allowed in a template");
    expect(refused.stdout + refused.stderr).not.toMatch(/^\s+at /m);
  });
});
