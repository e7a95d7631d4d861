// Loads the CommonJS bundle (dist/bundle/main.cjs) through vm.Script with the V8 code cache that
// `npm run build` writes beside it: V8 then deserialises the compiled bundle instead of parsing and
// compiling 5 MB of JavaScript on every run. Node 20 has no compile cache for ES modules, hence
// CommonJS. A cache V8 rejects (another Node version or V8 flags) or a missing one only costs the
// plain compile. Shared with scripts/build.mjs, which writes the cache of the same wrapped source.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { Script } from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.v8cache`;

/** Compiles the bundle (from `cachedData` when given and V8 accepts it) and runs its top level. */
export function runBundle(cachedData) {
  // The build writes the bundle as ASCII: read as latin1 it needs no UTF-8 decoding (~7 ms) and is
  // a one-byte string (half the memory of the two-byte string one non-Latin-1 character makes).
  const source = readFileSync(BUNDLE, 'latin1');
  // The CommonJS module wrapper, on the source's first line so that line numbers stay right.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { exports: module.exports, script };
}

/**
 * The bundle's exports, for the launcher. With --enable-source-maps it is loaded by require():
 * Node maps stack traces only for code its own loaders load.
 */
export function loadBundle() {
  if (process.sourceMapsEnabled) return createRequire(import.meta.url)(BUNDLE);
  let cache;
  try {
    cache = readFileSync(CODE_CACHE);
  } catch {
    // No cache (a partial build): the plain compile.
  }
  return runBundle(cache).exports;
}
