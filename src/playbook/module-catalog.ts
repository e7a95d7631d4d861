/**
 * What the playbook loader needs to know about modules, given to it by the caller (the module
 * registry, src/modules/registry.ts): the playbook layer sits below the modules and never imports
 * them.
 */
export interface ModuleCatalog {
  /** The module a task key names (short name, FQCN or alias), or undefined. */
  resolve(key: string): string | undefined;
  /** Every module name (canonical), for "modules: ..." hints. */
  readonly names: readonly string[];
  /** Every spelling accepted as a module key, for "did you mean". */
  readonly spellings: readonly string[];
  /**
   * Validates and normalises a module's arguments as written in the playbook (a mapping, null for
   * "no arguments", or a free-form string). Values still holding `{{ }}` pass here and are checked
   * by the same rules after rendering.
   */
  validate(module: string, args: unknown): ModuleArgsResult;
  /** The module takes a free-form string (`command: ls -l`, `shell: ...`). */
  freeForm(module: string): boolean;
  /** Where a relative `src` is looked for besides the playbook's folder (Ansible's files/, templates/). */
  srcFolder(module: string): string | undefined;
  /** The `src` argument names a template file (its syntax is checked at load time). */
  srcIsTemplate(module: string): boolean;
}

/** One problem in a task's module arguments; `path` is relative to the module's mapping. */
export interface ArgIssue {
  path: (string | number)[];
  message: string;
  fix: string;
}

export type ModuleArgsResult =
  { ok: true; args: Record<string, unknown> } | { ok: false; issues: ArgIssue[] };
