import { MODULE_NAMES, type ModuleName } from './types.js';

/** Generic modules Ansible ships in ansible.builtin, accepted under their FQCN too. */
const BUILTIN_GENERIC: readonly ModuleName[] = [
  'package',
  'file',
  'copy',
  'template',
  'command',
  'shell',
  'service',
  'debug',
];

/** Other Ansible spellings that mean the same thing here. */
const EXTRA_ALIASES: Record<string, ModuleName> = {
  systemd: 'service',
  systemd_service: 'service',
  'ansible.builtin.systemd': 'service',
  'ansible.builtin.systemd_service': 'service',
};

const ALIASES: ReadonlyMap<string, ModuleName> = new Map<string, ModuleName>([
  ...MODULE_NAMES.map((m) => [m, m] as const),
  ...BUILTIN_GENERIC.flatMap((m) => [
    [`ansible.builtin.${m}`, m] as const,
    [`ansible.legacy.${m}`, m] as const,
  ]),
  ...Object.entries(EXTRA_ALIASES),
]);

/** The module a task key names (short name, FQCN or alias), or undefined. */
export function resolveModuleName(key: string): ModuleName | undefined {
  return ALIASES.get(key);
}

/** Every spelling accepted as a module key, for "did you mean". */
export function moduleSpellings(): string[] {
  return [...ALIASES.keys()];
}
