import type { SettingKey, TomlKeyRef, XmlStep } from './types.js';

const BARE = /^[A-Za-z0-9_-]+$/;

/** A TOML key as written in a file: bare when it can be, else a basic string. */
export function tomlKeyPart(key: string): string {
  return BARE.test(key) ? key : JSON.stringify(key);
}

export function tomlDotted(keys: string[]): string {
  return keys.map(tomlKeyPart).join('.');
}

function tomlLabel(k: TomlKeyRef): string {
  if (!k.element) return `[${tomlDotted(k.table)}] ${tomlDotted(k.key)}`;
  const select = k.element.select;
  const which =
    select === 'first' ? 'first' : `${tomlKeyPart(select.key)} = ${JSON.stringify(select.equals)}`;
  const sub = k.subTable ? ` [${tomlDotted(k.subTable)}]` : '';
  return `[[${tomlDotted(k.table)}]] (${which})${sub} ${tomlDotted(k.key)}`;
}

function xmlStepLabel(s: XmlStep): string {
  const where = Object.entries(s.where ?? {})
    .map(([k, v]) => `[@${k}="${v}"]`)
    .join('');
  return `${s.name}${where}`;
}

/** How a setting's place is shown in plans, diffs and messages, e.g. `[server] hostname`. */
export function settingKeyLabel(key: SettingKey): string {
  switch (key.format) {
    case 'toml':
      return tomlLabel(key);
    case 'xml':
      return `${key.element.map(xmlStepLabel).join('/')}${key.attribute ? `/@${key.attribute}` : ''}`;
    case 'jsonc':
      return key.path.join('.');
  }
}
