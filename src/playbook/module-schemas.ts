import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { parseFreeFormCommand } from './free-form.js';
import type { ModuleName } from './types.js';
import { asBoolean } from './values.js';

/** A string still holding Jinja: its real value (and type) is only known after rendering. */
export function isTemplated(value: unknown): value is string {
  return typeof value === 'string' && /\{\{|\{%/.test(value);
}

type Fixable = { fix: string };

/**
 * Accepts `{{ }}` strings as they are (they are checked again after rendering), and checks
 * everything else against `schema`. Optional arguments use `templatable(s).optional()`: zod
 * then skips missing keys instead of running the transform on undefined.
 */
function templatable<T extends z.ZodType>(schema: T) {
  return z.any().transform((value, ctx): z.output<T> => {
    if (isTemplated(value)) return value as z.output<T>;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const { message, fix } = describeIssue(issue);
      ctx.addIssue({ code: 'custom', message, path: issue.path, params: { fix } satisfies Fixable });
    }
    return z.NEVER;
  });
}

const nonEmpty = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .min(1, 'must not be empty');
const absolutePath = nonEmpty.refine((p) => p.startsWith('/'), {
  message: 'must be an absolute path on the host',
  params: { fix: "start the path with '/', e.g. /etc/nginx/conf.d/apim.conf" } satisfies Fixable,
});

/** YAML 1.2 reads `yes`/`no` as strings; Ansible users write them for booleans all the time. */
const boolish = z.union([z.boolean(), z.string()], { error: 'must be true or false' }).transform((v, ctx) => {
  const b = asBoolean(v);
  if (b !== undefined) return b;
  ctx.addIssue({
    code: 'custom',
    message: `'${v}' is not a boolean`,
    params: { fix: 'use true or false' } satisfies Fixable,
  });
  return z.NEVER;
});

/**
 * File modes normalised to a 4-digit octal string. Numbers are taken as the permission bits
 * themselves (0o644, or YAML `0o644`); the loader rejects unquoted YAML integers before this,
 * since YAML 1.2 reads `0644` as decimal 644.
 */
export const fileMode = z
  .union([z.string(), z.number()], { error: "must be an octal mode such as '0644'" })
  .transform((v, ctx) => {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0 && v <= 0o7777) return v.toString(8).padStart(4, '0');
    } else if (/^0?[0-7]{3,4}$/.test(v) && v.replace(/^0/, '').length <= 4) {
      const digits = v.length === 5 ? v.slice(1) : v;
      return digits.padStart(4, '0');
    }
    ctx.addIssue({
      code: 'custom',
      message: `invalid file mode ${JSON.stringify(v)}`,
      params: { fix: "give an octal mode as a quoted string, e.g. '0644' or '0750'" } satisfies Fixable,
    });
    return z.NEVER;
  });

const ownership = {
  mode: templatable(fileMode).optional(),
  owner: templatable(nonEmpty).optional(),
  group: templatable(nonEmpty).optional(),
};

const commandArgs = z.strictObject({
  cmd: templatable(nonEmpty),
  creates: templatable(absolutePath).optional(),
  removes: templatable(absolutePath).optional(),
  chdir: templatable(absolutePath).optional(),
});

const noArgs = z.strictObject({});

/** Argument schemas per module. Output values are normalised (modes, booleans, defaults). */
export const moduleSchemas = {
  apim_nginx_install: z.strictObject({
    edition: templatable(z.enum(['auto', 'oss', 'plus'])).optional(),
  }),
  apim_tls_certificates: noArgs,
  apim_lb_config: noArgs,
  nginx_reload: noArgs,
  package: z.strictObject({
    name: templatable(
      z.union([nonEmpty, z.array(nonEmpty).min(1, 'must list at least one package')], {
        error: (issue) =>
          issue.input === undefined ? 'is required' : 'must be a package name or a list of names',
      }),
    ),
    state: templatable(z.enum(['present', 'absent', 'latest'])).default('present'),
  }),
  file: z.strictObject({
    path: templatable(absolutePath),
    state: templatable(z.enum(['file', 'directory', 'absent', 'touch'])).default('file'),
    ...ownership,
  }),
  copy: z
    .strictObject({
      dest: templatable(absolutePath),
      content: templatable(z.string({ error: 'must be a string' })).optional(),
      src: templatable(nonEmpty).optional(),
      ...ownership,
    })
    .superRefine((args, ctx) => {
      if ((args.content === undefined) === (args.src === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: 'needs exactly one of content or src',
          params: {
            fix: 'give the file body inline with content, or a controller file with src (relative to the playbook)',
          } satisfies Fixable,
        });
      }
    }),
  template: z.strictObject({
    src: templatable(nonEmpty),
    dest: templatable(absolutePath),
    ...ownership,
  }),
  command: commandArgs,
  shell: commandArgs,
  service: z
    .strictObject({
      name: templatable(nonEmpty),
      state: templatable(z.enum(['started', 'stopped', 'restarted', 'reloaded'])).optional(),
      enabled: templatable(boolish).optional(),
    })
    .superRefine((args, ctx) => {
      if (args.state === undefined && args.enabled === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'needs state or enabled',
          params: {
            fix: 'add state: started (or stopped/restarted/reloaded) and/or enabled: true',
          } satisfies Fixable,
        });
      }
    }),
  debug: z.strictObject({
    msg: z.any().refine((v) => v !== undefined, {
      message: 'msg is required',
      params: { fix: "add msg: 'text to show' (it may use {{ variables }})" } satisfies Fixable,
    }),
  }),
} satisfies Record<ModuleName, z.ZodType>;

/** One problem in a task's module arguments; `path` is relative to the module's mapping. */
export interface ArgIssue {
  path: (string | number)[];
  message: string;
  fix: string;
}

export type ModuleArgsResult =
  { ok: true; args: Record<string, unknown> } | { ok: false; issues: ArgIssue[] };

const FREE_FORM_MODULES: readonly ModuleName[] = ['command', 'shell'];

/**
 * Validates and normalises a module's arguments as written in the playbook (mapping, null for
 * "no arguments", or a free-form string for command/shell).
 */
export function validateModuleArgs(module: ModuleName, args: unknown): ModuleArgsResult {
  let input = args ?? {};
  if (typeof input === 'string' && FREE_FORM_MODULES.includes(module)) input = parseFreeFormCommand(input);
  if (typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          message: `arguments of ${module} must be a mapping`,
          fix: FREE_FORM_MODULES.includes(module)
            ? 'give the command as a string, or a mapping with cmd: ...'
            : `write them as key: value lines under ${module}:`,
        },
      ],
    };
  }
  const schema = moduleSchemas[module] as z.ZodType;
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, args: stripUndefined(result.data as Record<string, unknown>) };
  return { ok: false, issues: result.error.issues.flatMap((i) => toArgIssues(module, i)) };
}

function stripUndefined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

function allowedKeys(module: ModuleName): string[] {
  const schema = moduleSchemas[module] as unknown as { shape?: Record<string, unknown> };
  const shape =
    schema.shape ?? (schema as { def?: { in?: { shape?: Record<string, unknown> } } }).def?.in?.shape;
  return Object.keys(shape ?? {});
}

function toArgIssues(module: ModuleName, issue: z.core.$ZodIssue): ArgIssue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(module);
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: `unknown argument '${key}' for module ${module}`,
      fix:
        didYouMean(key, allowed) +
        (allowed.length
          ? `${module} takes: ${allowed.join(', ')}`
          : `${module} takes no arguments: remove it`),
    }));
  }
  return [{ path, ...describeIssue(issue) }];
}

/** A readable message and a fix for a zod issue. */
function describeIssue(issue: z.core.$ZodIssue): { message: string; fix: string } {
  const params = (issue as { params?: Partial<Fixable> }).params;
  switch (issue.code) {
    case 'invalid_value':
      return {
        message: `invalid value, expected one of: ${issue.values.map(String).join(', ')}`,
        fix: `use one of: ${issue.values.map(String).join(', ')}`,
      };
    case 'invalid_type': {
      const missing = /received undefined|is required/.test(issue.message);
      return {
        message: missing ? 'is required' : `must be a ${issue.expected}`,
        fix: missing
          ? 'add this argument'
          : `give a ${issue.expected} value (quote it if YAML reads it otherwise)`,
      };
    }
    case 'invalid_union':
      return {
        message: issue.message,
        fix:
          issue.message === 'is required'
            ? 'add this argument'
            : 'check the type of this value (quote strings)',
      };
    default:
      return { message: issue.message, fix: params?.fix ?? 'correct this value' };
  }
}
