export { labUp, labDown, labStatus, openLab } from './lab.js';
export type { Lab, LabOptions, LabUpOptions, LabUpTimings } from './lab.js';
export { DEFAULT_LAB_SPEC, parseLabSpec } from './lab-spec.js';
export { LAB_PATTERN_LAYOUTS, labInventoryYaml } from './lab-inventory.js';
export { parseSshConfig } from './ssh-config.js';
export { PLUS_REPO_HOSTNAME } from './plus-repo.js';
export * from './types.js';
