import type { EditResult } from './edit-result.js';
import { editJsonc } from './jsonc-edit.js';
import { editToml } from './toml-edit.js';
import type { NodeFilePlan, NodeSetting, SettingKey } from './types.js';
import { editXml } from './xml-edit.js';

function keysOf<F extends SettingKey['format']>(
  settings: NodeSetting[],
  format: F,
): Array<{ key: Extract<SettingKey, { format: F }>; value: NodeSetting['value'] }> {
  return settings.flatMap((s) =>
    s.key.format === format ? [{ key: s.key as Extract<SettingKey, { format: F }>, value: s.value }] : [],
  );
}

/**
 * The file's new text with the plan's settings in place (format-preserving), and what changed.
 * Pure: `text` is the node's current file; the caller writes the result only when it differs.
 */
export function applyFilePlan(plan: NodeFilePlan, text: string): EditResult {
  switch (plan.format) {
    case 'toml':
      return editToml(plan.path, text, keysOf(plan.settings, 'toml'));
    case 'xml':
      return editXml(plan.path, text, keysOf(plan.settings, 'xml'));
    case 'jsonc':
      return editJsonc(plan.path, text, keysOf(plan.settings, 'jsonc'));
  }
}
