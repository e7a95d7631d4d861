// npm run build: a clean dist/ (no output of removed sources left behind) holding the CLI bundled
// into dist/bundle/main.cjs with its V8 code cache, which bin/apim-provision.js runs
// (bin/load-bundle.js): one file read instead of ~700 module resolutions at start-up, and no
// compile. Each remote program's assembled scripts are written beside it to dist/bundle/programs/
// (src/remote/scripts.ts reads them at run time relative to its own module, in the bundle only).
// Types are checked by `npm run typecheck`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE, CODE_CACHE, runBundle } from '../bin/load-bundle.js';

rmSync('dist', { recursive: true, force: true });

/**
 * string-width builds an Intl.Segmenter and four Unicode property regexes when its module is
 * evaluated (~14 ms of every start-up, --cpu-prof), for yargs, listr2 and wrap-ansi, which measure
 * text only to print help or progress. Each import of it gets a stand-in whose first call
 * evaluates the real module (the same file the import resolves to, still bundled and cached).
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'real',
      });
      if (real.errors.length > 0) return { errors: real.errors };
      // Relative to the package root (the build's folder): no build machine's path in the bundle.
      return { path: `./${relative('.', real.path)}`, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;
export default function stringWidth(...args) {
  real ??= require(${JSON.stringify(args.path)}).default;
  return real(...args);
}`,
      loader: 'js',
      resolveDir: '.',
    }));
  },
};

/**
 * Packages src/ requires on first use (src/domain/lazy-require.ts) that are bundled all the same, so
 * that their code comes with the bundle and its code cache instead of being resolved, read and
 * compiled from node_modules by the first use: ssh2's client by every apply (~35 ms of CPU). In the bundle,
 * lazy-require.ts's loader requires these by literal name (esbuild bundles them, each behind a
 * __commonJS wrapper that still evaluates it on the first lazyRequire call only); other specifiers
 * are required from node_modules as before.
 */
const BUNDLED_LAZY = ['ssh2/lib/client.js', 'ssh2/lib/protocol/keyParser.js'];
const LAZY_REQUIRE_LOADER = 'const load = createRequire(import.meta.url);';
const bundledLazyRequire = {
  name: 'bundled-lazy-require',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\]domain[/\\]lazy-require\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(LAZY_REQUIRE_LOADER))
        throw new Error(`build: ${args.path} no longer holds '${LAZY_REQUIRE_LOADER}'`);
      const bundled = BUNDLED_LAZY.map((s) => `${JSON.stringify(s)}: () => require(${JSON.stringify(s)})`);
      const loader = `const fromNodeModules = createRequire(import.meta.url);
const bundled: Record<string, () => unknown> = { ${bundled.join(', ')} };
const load = (specifier: string) =>
  Object.hasOwn(bundled, specifier) ? bundled[specifier]() : fromNodeModules(specifier);`;
      return { contents: source.replace(LAZY_REQUIRE_LOADER, loader), loader: 'ts' };
    });
    // ssh2's optional native crypto binding (in a try block): from node_modules at run time.
    b.onResolve({ filter: /^\.\/crypto\/build\/Release\/sshcrypto\.node$/ }, () => ({
      path: 'ssh2/lib/protocol/crypto/build/Release/sshcrypto.node',
      external: true,
    }));
  },
};

await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  // CommonJS, for the code cache (load-bundle.js). Code behind a dynamic import() (Graphviz, the
  // lab) still runs only when used: esbuild wraps it in a function called on import().
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Stack traces stay readable without a map (names kept, nothing minified); the .map beside the
  // bundle maps them to src/ (`node --enable-source-maps`), at no start-up cost otherwise.
  sourcemap: 'linked',
  external: [
    // ssh2's optional CPU feature probe (a native addon, in a try block), resolved at run time.
    'cpu-features',
    // Its UMD build picks its implementation with a dynamic require() esbuild cannot follow.
    'jsonc-parser',
    // The template sandbox patches nunjucks' runtime module object (template-runtime.ts): the
    // compiled templates must use that same object, so nunjucks is loaded once, from node_modules.
    'nunjucks',
  ],
  // Modules find their files (programs/, the package root) from import.meta.url: the bundle's own URL.
  // src/remote/scripts.ts reads the programs written below (APIM_BUILT_PROGRAMS), in the bundle only.
  define: { 'import.meta.url': '__bundleUrl', APIM_BUILT_PROGRAMS: 'true' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyStringWidth, bundledLazyRequire],
  logLevel: 'warning',
});
// Each remote program's script files as it carries them to hosts (compacted, the facts program
// pruned to the functions it calls), written once here instead of assembled on every run:
// src/remote/scripts.ts's own programScripts, bundled on its own and run against src/remote/sh (the
// bundle carries no shell sources, only these).
{
  const [out] = (
    await build({
      stdin: {
        contents: "export { PROGRAMS, programScripts } from './src/remote/scripts.ts';",
        resolveDir: '.',
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      define: { 'import.meta.url': JSON.stringify(pathToFileURL('src/remote/scripts.ts').href) },
      logLevel: 'warning',
    })
  ).outputFiles;
  const scripts = { exports: {} };
  new Function('module', 'exports', 'require', out.text)(scripts, scripts.exports, createRequire(BUNDLE));
  // Written in a folder of its own, renamed into place once all are there: a build stopped part-way
  // leaves no programs/ (the bundle then says to build again), never some of them or a cut one.
  const dir = join(dirname(BUNDLE), 'programs');
  mkdirSync(`${dir}.partial`);
  for (const name of Object.keys(scripts.exports.PROGRAMS))
    writeFileSync(join(`${dir}.partial`, `${name}.sh`), scripts.exports.programScripts(name));
  renameSync(`${dir}.partial`, dir);
}

// esbuild escapes non-ASCII characters in strings, regexes and identifiers but copies comments as
// they are; the few non-ASCII characters left (in comments) are written as \u escapes, which mean
// the same in a comment or an identifier, so bin/load-bundle.js can read the bundle as latin1 (on
// those lines, the source map's columns after the character are off by a few).
const source = readFileSync(BUNDLE, 'utf8');
// eslint-disable-next-line no-control-regex
const ascii = source.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
if (ascii !== source) writeFileSync(BUNDLE, ascii);

// The cache is taken after the bundle has run, so that it also holds the functions commands compile
// on their way, not only the top level: V8 compiles a function when it is first called.
// scripts/warm-code-cache.mjs runs validate and apply's converge, no-op and check+diff against
// simulated hosts (a no-op apply ~20 ms of CPU less than with a cache of validate alone); without
// tsx or ssh-keygen (or if it fails) the cache is taken after validate here.
// Its stdout is not a terminal, whatever the build's is: the cache always holds the plain reporter
// (bench, CI, pipes) rather than the one a terminal would have chosen.
const warmed = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/warm-code-cache.mjs'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (warmed.status !== 0) {
  process.stderr.write(
    `build: the code cache is trained on validate only (scripts/warm-code-cache.mjs: ${warmed.error?.message ?? `exit ${warmed.status}`})\n`,
  );
  const { exports, script } = runBundle(undefined);
  const quiet = () => true;
  const writes = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = quiet;
  const code = await exports.main(['validate', 'inventories/single-node.yml']).finally(() => {
    [process.stdout.write, process.stderr.write] = writes;
  });
  if (code !== 0) throw new Error(`build: validate of the example inventory exited ${code}`);
  writeFileSync(CODE_CACHE, script.createCachedData());
}
