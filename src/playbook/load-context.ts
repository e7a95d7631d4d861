import type { Diagnostic } from '../input/diagnostics.js';
import type { KeyPath, YamlSource } from '../input/yaml-source.js';
import type { ModuleCatalog } from './module-catalog.js';
import type { SourceLoc } from './types.js';

/** State shared while one playbook file is validated: where it is, and every problem found. */
export class LoadContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly dir: string;

  constructor(
    readonly source: YamlSource,
    /** The file's lines, to look at how a scalar was written (e.g. an unquoted mode). */
    private readonly lines: string[],
    dir: string,
    /** The modules tasks may use. */
    readonly modules: ModuleCatalog,
  ) {
    this.dir = dir;
  }

  error(path: KeyPath, message: string, fix: string): void {
    this.diagnostics.push(this.source.diagnostic(path, message, fix, 'error'));
  }

  warn(path: KeyPath, message: string, fix: string): void {
    this.diagnostics.push(this.source.diagnostic(path, message, fix, 'warning'));
  }

  loc(path: KeyPath): SourceLoc {
    return { file: this.source.file, ...this.source.locate(path) };
  }

  /** The text of the plain scalar value at `path`, as written in the file. */
  rawScalar(path: KeyPath): string {
    const { line, column } = this.source.locate(path, false);
    const text = this.lines[line - 1] ?? '';
    return (/^[^\s#,\]}]+/.exec(text.slice(column - 1)) ?? [''])[0];
  }
}
