import { z } from 'zod';
import { parseFreeFormCommand } from '../playbook/free-form.js';
import type { ModuleArgsResult, ModuleCatalog } from '../playbook/module-catalog.js';
import { apimLbConfig } from './apim-lb-config.js';
import { apimNginxInstall } from './apim-nginx-install.js';
import { apimNodeConfig } from './apim-node-config.js';
import { apimNodeRestart } from './apim-node-restart.js';
import { apimNodeTruststore } from './apim-node-truststore.js';
import { apimTlsCertificates } from './apim-tls-certificates.js';
import { argIssues, lenient, strict } from './args.js';
import { commandModule } from './command.js';
import type { ModuleDefinition } from './contract.js';
import { copyModule } from './copy.js';
import { debugModule } from './debug.js';
import { fileModule } from './file.js';
import { nginxReload } from './nginx-reload.js';
import { nginxRollback } from './nginx-rollback.js';
import { packageModule } from './package.js';
import { serviceModule } from './service.js';
import { shellModule } from './shell.js';
import { templateModule } from './template.js';

/**
 * Every module, registered once: names, aliases, argument schemas, the playbook loader's
 * catalogue and the modules reference (docs/modules.md) all come from this list.
 */
export const MODULES: readonly ModuleDefinition[] = [
  apimNginxInstall,
  apimTlsCertificates,
  apimLbConfig,
  nginxReload,
  nginxRollback,
  apimNodeConfig,
  apimNodeTruststore,
  apimNodeRestart,
  packageModule,
  fileModule,
  copyModule,
  templateModule,
  commandModule,
  shellModule,
  serviceModule,
  debugModule,
];

interface Registered {
  def: ModuleDefinition;
  /** At load time: `{{ }}` values pass. */
  readonly loadSchema: z.ZodType;
  /** After rendering: every value checked. */
  readonly runSchema: z.ZodType;
}

/**
 * A module's schemas are built on first use: a playbook names a few modules, and their strict
 * schemas are needed only on the hosts, after connecting (all 32 at start-up: ~4 ms of every run).
 */
function register(def: ModuleDefinition): Registered {
  let loadSchema: z.ZodType | undefined;
  let runSchema: z.ZodType | undefined;
  return {
    def,
    get loadSchema() {
      return (loadSchema ??= def.args(lenient));
    },
    get runSchema() {
      return (runSchema ??= def.args(strict));
    },
  };
}

const REGISTRY = new Map<string, Registered>(MODULES.map((def) => [def.name, register(def)]));

function spellingsOf(def: ModuleDefinition): string[] {
  const names = [def.name, ...(def.aliases ?? [])];
  return def.builtin ? names.flatMap((n) => [n, `ansible.builtin.${n}`, `ansible.legacy.${n}`]) : [...names];
}

const SPELLINGS = new Map<string, string>(
  MODULES.flatMap((def) => spellingsOf(def).map((s) => [s, def.name])),
);

function registered(name: string): Registered {
  const r = REGISTRY.get(name);
  if (!r) throw new Error(`no module ${name} is registered`);
  return r;
}

export function moduleNamed(name: string): ModuleDefinition {
  return registered(name).def;
}

function parse(name: string, schema: z.ZodType, args: unknown): ModuleArgsResult {
  const def = registered(name).def;
  let input = args ?? {};
  if (typeof input === 'string' && def.freeForm) input = parseFreeFormCommand(input);
  if (typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          message: `arguments of ${name} must be a mapping`,
          fix: def.freeForm
            ? 'give the command as a string, or a mapping with cmd: ...'
            : `write them as key: value lines under ${name}:`,
        },
      ],
    };
  }
  const result = schema.safeParse(input);
  if (result.success) {
    const data = result.data as Record<string, unknown>;
    return { ok: true, args: Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) };
  }
  return { ok: false, issues: argIssues(name, schema, result.error.issues) };
}

/** Checks a task's rendered arguments with the module's rules; on success they have the module's types. */
export function validateRendered(name: string, args: Record<string, unknown>): ModuleArgsResult {
  return parse(name, registered(name).runSchema, args);
}

/** What the playbook loader knows about modules (src/playbook/module-catalog.ts). */
export const MODULE_CATALOG: ModuleCatalog = {
  resolve: (key) => SPELLINGS.get(key),
  names: MODULES.map((m) => m.name),
  spellings: [...SPELLINGS.keys()],
  validate: (name, args) => parse(name, registered(name).loadSchema, args),
  freeForm: (name) => registered(name).def.freeForm === true,
  srcFolder: (name) => registered(name).def.src?.folder,
  srcIsTemplate: (name) => registered(name).def.src?.template === true,
};

/** The strict schema of a module, for its reference page. */
export function moduleSchema(name: string): z.ZodType {
  return registered(name).runSchema;
}

/** Every accepted spelling of a module, canonical name first. */
export function moduleSpellings(name: string): string[] {
  return spellingsOf(registered(name).def);
}
