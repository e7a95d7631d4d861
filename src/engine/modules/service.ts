import { shellQuote } from '../../transport/shell-quote.js';
import type { Change } from '../types.js';
import { failed, outcome, type ModuleDefinition } from './module.js';

/** Services through systemd, the init script (`service`), or not at all when the host has neither. */
export const serviceModule: ModuleDefinition = {
  staged: false,
  async run({ session, args }) {
    const name = shellQuote(String(args.name));
    const manager = session.facts.serviceManager;
    if (manager === 'none')
      return failed('this host has no service manager (no systemd, no service command)');
    const isActive =
      manager === 'systemd'
        ? `systemctl is-active --quiet ${name}`
        : `service ${String(args.name)} status >/dev/null 2>&1`;
    const probe = await session.conn.exec(`${isActive} && echo active || echo inactive`, {
      become: session.become,
    });
    const active = probe.stdout.trim() === 'active';
    const state = args.state ? String(args.state) : undefined;
    const changes: Change[] = [];
    const act = (verb: 'start' | 'stop' | 'restart' | 'reload') =>
      manager === 'systemd' ? `systemctl ${verb} ${name}` : `service ${name} ${verb}`;
    const commands: string[] = [];
    if (state === 'started' && !active) commands.push(act('start'));
    if (state === 'stopped' && active) commands.push(act('stop'));
    if (state === 'restarted') commands.push(act('restart'));
    if (state === 'reloaded') commands.push(active ? act('reload') : act('start'));
    for (const c of commands) {
      const verb = c.includes('restart')
        ? 'restart'
        : c.includes('reload')
          ? 'reload'
          : c.includes('stop')
            ? 'stop'
            : 'start';
      changes.push({ kind: 'service', action: verb, target: String(args.name), summary: verb });
    }
    if (args.enabled !== undefined && manager === 'systemd') {
      const en = await session.conn.exec(`systemctl is-enabled --quiet ${name} && echo yes || echo no`);
      const want = Boolean(args.enabled);
      if ((en.stdout.trim() === 'yes') !== want) {
        commands.push(`systemctl ${want ? 'enable' : 'disable'} ${name}`);
        changes.push({
          kind: 'service',
          action: 'update',
          target: String(args.name),
          summary: want ? 'enable' : 'disable',
        });
      }
    }
    if (session.check || commands.length === 0) return outcome(changes);
    const result = await session.conn.exec(commands.join(' && '), { become: session.become });
    if (result.code !== 0)
      return failed(`${commands.join(' && ')} failed:\n${(result.stderr || result.stdout).trim()}`);
    return outcome(changes);
  },
};
