import { z } from 'zod';
import { MODULES, moduleSchema, moduleSpellings } from './registry.js';
import type { ModuleDefinition } from './contract.js';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (Array.isArray(s.type)) return s.type.join(' or ');
  return s.type ?? 'any value';
}

function behaviour(def: ModuleDefinition): string {
  if (def.activates)
    return 'commits the staged files in one transaction (it is the handler the WSO2 procedure notifies)';
  if (def.unpredictable) return 'acts at once; not run in check mode (its effect cannot be predicted)';
  if (def.runs === 'immediate')
    return 'acts at once (what earlier tasks staged goes live first); planned only in check mode';
  return 'staged: its files go live in the next transaction; planned only in check mode';
}

function section(def: ModuleDefinition): string {
  const schema = z.toJSONSchema(moduleSchema(def.name), {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const args = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const spellings = moduleSpellings(def.name).slice(1);
  const lines = [`## ${def.name}`, '', def.summary, ''];
  if (spellings.length > 0)
    lines.push(`Also accepted as: ${spellings.map((s) => `\`${s}\``).join(', ')}.`, '');
  lines.push(
    `Runs: ${behaviour(def)}.${def.freeForm ? ' Takes a free-form string as well as a mapping.' : ''}`,
    '',
  );
  if (args.length === 0) {
    lines.push('No arguments.', '');
    return lines.join('\n');
  }
  lines.push('| argument | required | default | values | description |', '|---|---|---|---|---|');
  for (const [name, arg] of args) {
    const dflt = arg.default === undefined ? '' : `\`${JSON.stringify(arg.default).replace(/^"|"$/g, '')}\``;
    lines.push(
      `| \`${name}\` | ${required.has(name) ? 'yes' : ''} | ${dflt} | ${typeOf(arg)} | ${arg.description ?? ''} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** docs/modules.md, generated from the registry (`npm run docs:modules`; a unit test checks it is current). */
export function modulesReference(): string {
  return [
    '# Modules',
    '',
    '<!-- Generated from src/modules/registry.ts by `npm run docs:modules`: do not edit by hand. -->',
    '',
    'Every module a playbook task can name, with its arguments. Values may use `{{ variables }}`:',
    'they are rendered per host and then checked by the same rules as literal values, so a rendered',
    'value a module refuses fails its task (file, line, the value, the rule) before anything runs.',
    '',
    ...MODULES.map(section),
  ].join('\n');
}
