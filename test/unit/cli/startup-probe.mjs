// Preloaded (node --import) into the built CLI by startup.test.ts: records which modules its
// start-up evaluates, and writes them as JSON to $APIM_STARTUP_PROBE_OUT when the process exits.
// - packages loaded from node_modules at run time (nunjucks, native addons, lazyRequire'd ones):
//   require(), and which of those failed (an optional addon missing);
// - modules inside the bundle that esbuild wraps (CommonJS packages, and every module some
//   require() or import() reaches): their __esm / __commonJS initialisers, counted by rewriting
//   the two helpers in the bundle's source as bin/load-bundle.js reads it (V8 then rejects the code
//   cache and compiles the source: slower, the same behaviour);
// - the other modules esbuild hoists to the bundle's top level, which always run: startup.test.ts
//   finds those in the bundle itself.
import fs from 'node:fs';
import Module from 'node:module';

const out = process.env.APIM_STARTUP_PROBE_OUT;
const required = new Set();
const failed = new Set();
const initialised = new Set();
let instrumented = false;
globalThis.__apimStartupProbe = (name) => initialised.add(name);

const load = Module._load;
Module._load = function (request, ...rest) {
  required.add(request);
  try {
    return load.call(this, request, ...rest);
  } catch (err) {
    failed.add(request);
    throw err;
  }
};

const HELPERS = [
  [
    'var __esm = (fn, res, err) => function __init() {',
    'if (fn) globalThis.__apimStartupProbe(__getOwnPropNames(fn)[0]);',
  ],
  [
    'var __commonJS = (cb, mod) => function __require() {',
    'if (!mod) globalThis.__apimStartupProbe(__getOwnPropNames(cb)[0]);',
  ],
];
const readFileSync = fs.readFileSync;
fs.readFileSync = function (path, options) {
  const text = readFileSync.call(this, path, options);
  if (typeof path !== 'string' || !path.endsWith('/dist/bundle/main.cjs') || typeof text !== 'string')
    return text;
  let source = text;
  for (const [helper, record] of HELPERS) {
    if (!source.includes(helper)) return text;
    source = source.replace(helper, `${helper} ${record}`);
  }
  instrumented = true;
  return source;
};
Module.syncBuiltinESMExports();

process.on('exit', () => {
  fs.writeFileSync(
    out,
    JSON.stringify({
      instrumented,
      required: [...required],
      failed: [...failed],
      initialised: [...initialised],
    }),
  );
});
