import { z } from 'zod';
import { didYouMean } from '../playbook/did-you-mean.js';
import type { ArgIssue } from '../playbook/module-catalog.js';
import { isTemplated } from '../playbook/templated.js';
import { asBoolean } from '../playbook/values.js';
import { ACCOUNT_NAME, PACKAGE_NAME, SERVICE_NAME, pathProblem } from '../remote/index.js';

/**
 * Wraps the schema of one argument. A module's argument schema is written once, as a function of
 * this wrapper: at load time (`lenient`) a value still holding `{{ }}` passes as it is, and after
 * rendering (`strict`) the same rules run on the rendered value, so an inventory value can never
 * reach a host unchecked.
 */
export type Templatable = <S extends z.ZodType>(schema: S) => S;

type Fixable = { fix: string };

export const strict: Templatable = (schema) => schema;

export const lenient: Templatable = <S extends z.ZodType>(schema: S): S =>
  z.any().transform((value: unknown, ctx): z.output<S> => {
    if (isTemplated(value)) return value as z.output<S>;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const { message, fix } = describeIssue(issue);
      ctx.addIssue({ code: 'custom', message, path: issue.path, params: { fix } satisfies Fixable });
    }
    return z.NEVER;
  }) as unknown as S;

/** A rule with its fix: `refine` with the message and fix the diagnostics show. */
function rule<T extends z.ZodType>(
  schema: T,
  test: (v: z.output<T>) => boolean,
  message: string,
  fix: string,
) {
  return schema.refine(test, { message, params: { fix } satisfies Fixable });
}

export const nonEmpty = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .min(1, 'must not be empty');

/** A path on the host: absolute and normalised, so it can never climb out of the transaction's stage. */
export const hostPath = nonEmpty.superRefine((p, ctx) => {
  const problem = pathProblem(p);
  if (problem === undefined) return;
  ctx.addIssue({
    code: 'custom',
    message: p.startsWith('/') ? `${JSON.stringify(p)} ${problem}` : 'must be an absolute path on the host',
    params: {
      fix: p.startsWith('/')
        ? "write the path without '..', '.', '//' or a trailing '/', e.g. /etc/nginx/conf.d/apim.conf"
        : "start the path with '/', e.g. /etc/nginx/conf.d/apim.conf",
    } satisfies Fixable,
  });
});

export const accountName = rule(
  nonEmpty,
  (v) => ACCOUNT_NAME.test(v),
  'is not a valid user or group name',
  'give a user or group name (letters, digits, _ . -, at most 32) or a numeric id',
);

export const packageName = rule(
  nonEmpty,
  (v) => PACKAGE_NAME.test(v),
  'is not a valid package name',
  "give a package name, optionally with a version (nginx, nginx=1.22*); a name never starts with '-'",
);

export const serviceName = rule(
  nonEmpty,
  (v) => SERVICE_NAME.test(v),
  'is not a valid service name',
  "give a unit or init script name (nginx, nginx.service); a name never starts with '-'",
);

/** YAML 1.2 reads `yes`/`no` as strings; Ansible users write them for booleans all the time. */
export const boolish = z
  .union([z.boolean(), z.string()], { error: 'must be true or false' })
  .transform((v, ctx) => {
    const b = asBoolean(v);
    if (b !== undefined) return b;
    ctx.addIssue({
      code: 'custom',
      message: `'${String(v)}' is not a boolean`,
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

/** `mode`, `owner` and `group` of the file modules. */
export function ownershipArgs(t: Templatable) {
  return {
    mode: t(fileMode).optional().describe("octal mode, quoted, e.g. '0644'"),
    owner: t(accountName).optional().describe('user name or id'),
    group: t(accountName).optional().describe('group name or id (default: the owner)'),
  };
}

/** A readable message and a fix for a zod issue. */
export function describeIssue(issue: z.core.$ZodIssue): { message: string; fix: string } {
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
    case 'custom':
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'not_multiple_of':
    case 'unrecognized_keys':
    case 'invalid_key':
    case 'invalid_element':
      return { message: issue.message, fix: params?.fix ?? 'correct this value' };
  }
}

/** The argument names of an object schema (possibly refined). */
export function argumentNames(schema: z.ZodType): string[] {
  const s = schema as unknown as { shape?: Record<string, unknown>; def?: { in?: { shape?: object } } };
  return Object.keys(s.shape ?? s.def?.in?.shape ?? {});
}

/** Turns zod issues into the loader's ArgIssues, with did-you-mean for unknown arguments. */
export function argIssues(
  module: string,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
): ArgIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      const allowed = argumentNames(schema);
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
  });
}
