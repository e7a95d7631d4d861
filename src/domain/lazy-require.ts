import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on its first use, synchronously (the plans and key parsing that
 * call it are): for what only some commands need (ssh2, the node play's parsers), so that the
 * others do not pay for it at start-up. The bundler leaves such a require() out of the bundle; it
 * resolves from node_modules. Here because every layer may import domain/.
 */
export function lazyRequire<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(specifier) as T);
}
