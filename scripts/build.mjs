// npm run build: a clean dist/ (no output of removed sources left behind) holding the CLI bundled
// into dist/bundle/, which bin/apim-provision.js runs: one file read instead of ~700 module
// resolutions at start-up. The remote shell programs are copied next to it (src/remote/scripts.ts
// reads them at run time relative to its own module). Types are checked by `npm run typecheck`.
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  // Code behind a dynamic import() (Graphviz, the lab) becomes a chunk loaded only when used.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Stack traces stay readable without a map (names kept, nothing minified); the .map beside the
  // bundle maps them to src/ (`node --enable-source-maps`), at no start-up cost otherwise.
  sourcemap: 'linked',
  external: [
    // Native addon (optional cpu-features binding) resolved at run time.
    'ssh2',
    // Its UMD build picks its implementation with a dynamic require() esbuild cannot follow.
    'jsonc-parser',
    // The template sandbox patches nunjucks' runtime module object (template-runtime.ts): the
    // compiled templates must use that same object, so nunjucks is loaded once, from node_modules.
    'nunjucks',
  ],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
cpSync('src/remote/sh', 'dist/bundle/sh', { recursive: true });
