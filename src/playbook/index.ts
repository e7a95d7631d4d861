export type { Play, Playbook, SourceLoc, Task } from './types.js';
export type { ArgIssue, ModuleArgsResult, ModuleCatalog } from './module-catalog.js';
export { loadPlaybook } from './load-playbook.js';
export { defaultPlaybookPath } from './default-path.js';
export { isTemplated } from './templated.js';
export {
  renderString,
  renderArgs,
  renderValue,
  renderTemplateFile,
  falseCondition,
  holdsTemplate,
  withLazyTemplates,
  TemplateError,
  type TemplateSite,
} from './template.js';
export { checkUndefinedVariables, BUILTIN_VARS } from './undefined-variables.js';
