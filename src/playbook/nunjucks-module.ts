import type Nunjucks from 'nunjucks';
import { lazyRequire } from '../domain/lazy-require.js';
import { installCompilerPatches } from './template-compiler.js';
import { installLexerPatches } from './template-lexer.js';
import { installRuntimeSandbox } from './template-runtime.js';

const loadNunjucks = lazyRequire<typeof Nunjucks>('nunjucks');
let sandboxed = false;

/**
 * nunjucks, loaded by the first template that renders (~16 ms of CPU a run without one does not
 * pay), with the sandbox's lexer, compiler and runtime patches applied before it is returned: the one way
 * src/ reaches nunjucks' environment, so no template compiles or renders unpatched.
 */
export function sandboxedNunjucks(): typeof Nunjucks {
  const lib = loadNunjucks();
  if (!sandboxed) {
    installLexerPatches();
    installCompilerPatches();
    installRuntimeSandbox();
    sandboxed = true;
  }
  return lib;
}
