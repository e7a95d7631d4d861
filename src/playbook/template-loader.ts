import { readInputFile } from '../input/read-input-file.js';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type nunjucks from 'nunjucks';
import { parseTemplate } from './template-sandbox.js';
import { TemplateSyntaxError } from './template-ast.js';

/** Larger template files are refused: a template is text someone wrote, not data. */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

/** A template file could not be read, or lies outside the folder it may be read from. */
export class TemplateFileError extends Error {
  override readonly name = 'TemplateFileError';
}

/** Reads a template: a regular file (not a FIFO or device), at most MAX_TEMPLATE_BYTES. */
export function readTemplateFile(file: string): string {
  // The one safe input reader: regular files only (a FIFO cannot hang a run), size-capped.
  const read = readInputFile(file, 'template', MAX_TEMPLATE_BYTES);
  if (read.diagnostic) throw new TemplateFileError(`${read.diagnostic.message}: ${file}`);
  return read.text;
}

/** Whether `path` is `dir` itself or below it (both absolute and normalised). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * Loads the files a template `{% include %}`s (or imports, extends) from the template's own folder
 * and below, nothing else: the name is resolved against the folder, and the file's real path
 * (symbolic links resolved) must still be inside the folder's real path. A sibling folder whose
 * name merely starts with the folder's name is outside. Included files get the same sandbox check
 * as the template itself before they compile.
 */
export class ConfinedLoader implements nunjucks.ILoader {
  readonly #dir: string;
  #realDir: string | undefined;

  constructor(dir: string) {
    this.#dir = resolve(dir);
  }

  getSource(name: string): nunjucks.LoaderSource {
    if (name.includes('\0'))
      throw new TemplateFileError(`template name ${JSON.stringify(name)} is not a file name`);
    const wanted = resolve(this.#dir, name);
    const refused = (why: string) =>
      new TemplateFileError(
        `cannot include '${name}': ${why}; a template may include files of its own folder ${this.#dir} only`,
      );
    if (!isInside(this.#dir, wanted)) throw refused('it is outside that folder');
    let real: string;
    try {
      this.#realDir ??= realpathSync(this.#dir);
      real = realpathSync(wanted);
    } catch (err) {
      throw refused(`it cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!isInside(this.#realDir, real))
      throw refused(`it is a symbolic link to ${real}, outside that folder`);
    const src = readTemplateFile(real);
    try {
      parseTemplate(src);
    } catch (err) {
      if (err instanceof TemplateSyntaxError)
        throw new TemplateFileError(`${wanted} line ${err.line}, column ${err.column}: ${err.message}`);
      throw err;
    }
    return { src, path: wanted, noCache: true };
  }
}
