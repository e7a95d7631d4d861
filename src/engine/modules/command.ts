import { Secret } from '../../domain/secret.js';
import { shellQuote } from '../../transport/shell-quote.js';
import { failed, outcome, type ModuleDefinition } from './module.js';

/**
 * `command` and `shell`: always "changed" when they run (as in Ansible), skipped in check mode,
 * and not run at all when `creates` exists or `removes` does not.
 */
export const commandModule: ModuleDefinition = {
  staged: false,
  async run({ session, args, task }) {
    // A command line computed from a secret runs as is; it is shown as written in the playbook,
    // and what it prints (derived from the secret, maybe) is not shown at all.
    const secret = args.cmd instanceof Secret;
    const cmd = args.cmd instanceof Secret ? args.cmd.reveal() : String(args.cmd);
    const shown = secret ? String(task.args.cmd) : cmd;
    const guards: string[] = [];
    if (args.creates) guards.push(`test -e ${shellQuote(String(args.creates))} && exit 90`);
    if (args.removes) guards.push(`test -e ${shellQuote(String(args.removes))} || exit 90`);
    if (guards.length > 0) {
      const probe = await session.conn.exec(`${guards.join('; ')}; exit 0`, { become: session.become });
      if (probe.code === 90)
        return { status: 'ok', changes: [], warnings: [], message: 'skipped by creates/removes' };
    }
    const change = { kind: 'command' as const, action: 'run' as const, target: shown, summary: 'run' };
    if (session.check)
      return { status: 'skipped', changes: [change], warnings: [], message: 'not run in check mode' };
    const full = args.chdir ? `cd ${shellQuote(String(args.chdir))} && ${cmd}` : cmd;
    const result = await session.conn.exec(full, { become: session.become });
    if (secret) {
      const hidden = 'output hidden: the command line holds a secret';
      return result.code === 0 ? outcome([change], [], hidden) : failed(`exit ${result.code} (${hidden})`);
    }
    if (result.code !== 0) return failed(`exit ${result.code}:\n${(result.stderr || result.stdout).trim()}`);
    return outcome([change], [], result.stdout.trim() || undefined);
  },
};
