export type { ModuleName, Play, Playbook, SourceLoc, Task } from './types.js';
export { MODULE_NAMES } from './types.js';
export { loadPlaybook } from './load-playbook.js';
export { defaultPlaybookPath } from './default-path.js';
export {
  moduleSchemas,
  validateModuleArgs,
  isTemplated,
  type ArgIssue,
  type ModuleArgsResult,
} from './module-schemas.js';
export { resolveModuleName } from './module-names.js';
export {
  renderString,
  renderArgs,
  renderValue,
  renderTemplateFile,
  evaluateWhen,
  holdsTemplate,
  withLazyTemplates,
  TemplateError,
  type TemplateSite,
} from './template.js';
export { checkUndefinedVariables, BUILTIN_VARS } from './undefined-variables.js';
