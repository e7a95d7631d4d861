import { z } from 'zod';
import { packageName } from './args.js';
import { defineModule, failure, nothingToDo, type Change } from './contract.js';

/** The name a package database knows (`nginx=1.22*` -> `nginx`). */
function baseName(spec: string): string {
  return spec.split(/[=<>]/, 1)[0] ?? spec;
}

/**
 * `package`: packages installed, removed or upgraded with the host's apt, dnf or yum. What is
 * installed (and apt's candidate version) comes from the facts, so a run that changes nothing
 * runs nothing; names never start with `-`, so none is read as an option.
 */
export const packageModule = defineModule({
  name: 'package',
  summary: 'Packages installed, removed or upgraded (apt, dnf, yum).',
  builtin: true,
  runs: 'immediate',
  args: (t) =>
    z.strictObject({
      name: t(
        z.union([packageName, z.array(packageName).min(1, 'must list at least one package')], {
          error: (issue) =>
            issue.input === undefined ? 'is required' : 'must be a package name or a list of names',
        }),
      ).describe('a package name (optionally with a version) or a list of them'),
      state: t(z.enum(['present', 'absent', 'latest']))
        .default('present')
        .describe('present, absent or latest'),
    }),
  needs: (_ctx, args) => ({
    queries: (Array.isArray(args.name) ? args.name : [args.name]).map((n) => ({
      kind: 'package' as const,
      name: baseName(n),
    })),
  }),
  plan(ctx, args) {
    const manager = ctx.facts.packageManager;
    if (!manager) return failure('no supported package manager (apt, dnf, yum) on this host');
    const names = Array.isArray(args.name) ? args.name : [args.name];
    const fact = (n: string) => ctx.facts.packages[baseName(n)];
    const installed = (n: string) => fact(n)?.installed === true;
    const changes: Change[] = [];
    let todo: string[];
    if (args.state === 'absent') {
      todo = names.filter(installed);
      for (const n of todo) changes.push({ kind: 'package', action: 'remove', target: n, summary: 'remove' });
    } else {
      todo = names.filter((n) => !installed(n));
      for (const n of todo)
        changes.push({ kind: 'package', action: 'install', target: n, summary: 'install' });
      if (args.state === 'latest') {
        for (const n of names.filter(installed)) {
          const { version, candidate } = fact(n) ?? {};
          // apt says which version it would bring; dnf and yum are asked on the host.
          if (manager === 'apt' && (candidate === undefined || candidate === version)) continue;
          todo.push(n);
          changes.push({
            kind: 'package',
            action: 'install',
            target: n,
            summary: candidate ? `upgrade ${version ?? ''} -> ${candidate}` : 'upgrade if newer',
          });
        }
      }
    }
    if (todo.length === 0) return nothingToDo();
    const action = args.state === 'absent' ? 'remove' : args.state === 'latest' ? 'latest' : 'install';
    return { changes, actions: [{ kind: 'ops', ops: [{ op: 'package', manager, action, names: todo }] }] };
  },
});
