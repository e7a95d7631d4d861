import { z } from 'zod';
import type { RemoteOp } from '../remote/index.js';
import { boolish, serviceName } from './args.js';
import { defineModule, failure, type Change } from './contract.js';

type Verb = 'start' | 'stop' | 'restart' | 'reload';

/**
 * `service`: start, stop, restart, reload or enable a service through systemd or its init script.
 * Its state comes from the facts: systemctl only queries; an init script's `status` is code of its
 * own, so on sysv hosts it is asked only outside check mode (the state is unknown in check mode).
 */
export const serviceModule = defineModule({
  name: 'service',
  summary: 'Start, stop, restart, reload or enable a service (systemd or init script).',
  builtin: true,
  aliases: ['systemd', 'systemd_service'],
  runs: 'immediate',
  args: (t) =>
    z
      .strictObject({
        name: t(serviceName).describe('the unit or init script'),
        state: t(z.enum(['started', 'stopped', 'restarted', 'reloaded']))
          .optional()
          .describe('started, stopped, restarted or reloaded'),
        enabled: t(boolish).optional().describe('start at boot (systemd)'),
      })
      .superRefine((args, ctx) => {
        if (args.state === undefined && args.enabled === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: 'needs state or enabled',
            params: { fix: 'add state: started (or stopped/restarted/reloaded) and/or enabled: true' },
          });
        }
      }),
  needs: (_ctx, args) => ({ queries: [{ kind: 'service', name: args.name }] }),
  plan(ctx, { name, state, enabled }) {
    const manager = ctx.facts.serviceManager;
    if (manager === 'none')
      return failure('this host has no service manager (no systemd, no service command)');
    const fact = ctx.facts.services[name] ?? { active: 'unknown', enabled: 'unknown' };
    const unknown =
      fact.active === 'unknown' ? ' (its state could not be read without running its init script)' : '';
    const verbs: Verb[] = [];
    if (state === 'started' && fact.active !== 'active') verbs.push('start');
    if (state === 'stopped' && fact.active !== 'inactive') verbs.push('stop');
    if (state === 'restarted') verbs.push('restart');
    if (state === 'reloaded') verbs.push(fact.active === 'inactive' ? 'start' : 'reload');
    const changes: Change[] = verbs.map((verb) => ({
      kind: 'service',
      action: verb,
      target: name,
      summary: verb === 'restart' ? verb : `${verb}${unknown}`,
    }));
    const ops: RemoteOp[] = verbs.map((action) => ({ op: 'service', manager, action, name }));
    const warnings: string[] = [];
    if (enabled !== undefined) {
      if (manager !== 'systemd') {
        warnings.push(`enabled is only managed through systemd; ${name} is left as it is`);
      } else if ((fact.enabled === 'enabled') !== enabled) {
        changes.push({
          kind: 'service',
          action: 'update',
          target: name,
          summary: enabled ? 'enable' : 'disable',
        });
        ops.push({ op: 'service', manager, action: enabled ? 'enable' : 'disable', name });
      }
    }
    return { changes, actions: ops.length > 0 ? [{ kind: 'ops', ops }] : [], warnings };
  },
});
