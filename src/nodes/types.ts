// The node settings model is domain data (the inventory carries each node's plan).
export type {
  FileFormat,
  JsoncKeyRef,
  NodeConfigPlan,
  NodeFilePlan,
  NodeProxySetting,
  NodeSetting,
  SettingKey,
  SettingReason,
  SettingValue,
  TomlElementSelector,
  TomlKeyRef,
  TruststorePlan,
  XmlKeyRef,
  XmlStep,
} from '../domain/types.js';
