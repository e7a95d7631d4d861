import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on its first use, synchronously (the plans that call it are). Used
 * for the parsers only the node play needs, so that every other command does not pay for them at
 * start-up; the bundler leaves such a require() out of the bundle, it resolves from node_modules.
 */
export function lazyRequire<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(specifier) as T);
}
