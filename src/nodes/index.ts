export { deriveNodeSettings, type FrontingLoadBalancer, type NodeDerivation } from './derive.js';
export { applyFilePlan } from './edit-file.js';
export { NodeFileError, type EditResult, type SettingChange, type SettingSkipped } from './edit-result.js';
export { editJsonc } from './jsonc-edit.js';
export { DEFAULT_TRUSTSTORE_PASSWORD, NODE_FILES, TRUSTSTORE_ALIAS } from './node-files.js';
export { settingKeyLabel } from './setting-label.js';
export { editToml } from './toml-edit.js';
export type * from './types.js';
export { editXml } from './xml-edit.js';
