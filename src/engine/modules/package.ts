import { shellQuote } from '../../transport/shell-quote.js';
import type { HostSession } from '../host-session.js';
import type { Change } from '../types.js';
import { failed, outcome, type ModuleDefinition } from './module.js';

/** Which of `names` are installed, in one round trip. */
async function installedPackages(session: HostSession, names: string[]): Promise<Set<string>> {
  const query =
    session.facts.packageManager === 'apt'
      ? (n: string) =>
          `dpkg-query -W -f='\${Status}' ${shellQuote(n)} 2>/dev/null | grep -q 'install ok installed'`
      : (n: string) => `rpm -q ${shellQuote(n)} >/dev/null 2>&1`;
  const script = names.map((n) => `if ${query(n)}; then echo ${shellQuote(n)}; fi`).join('\n');
  const result = await session.conn.exec(script || 'true');
  return new Set(result.stdout.split('\n').filter(Boolean));
}

export function packageCommand(
  manager: string,
  action: 'install' | 'remove' | 'latest',
  names: string[],
): string {
  const list = names.map(shellQuote).join(' ');
  if (manager === 'apt') {
    const apt = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold';
    if (action === 'remove') return `${apt} remove ${list}`;
    // A fresh host may have no package lists yet: refresh them once and try again.
    return `${apt} install ${list} || { apt-get update -q && ${apt} install ${list}; }`;
  }
  const tool = manager === 'dnf' ? 'dnf' : 'yum';
  if (action === 'remove') return `${tool} -y remove ${list}`;
  return `${tool} -y ${action === 'latest' ? 'upgrade' : 'install'} ${list}`;
}

export const packageModule: ModuleDefinition = {
  staged: false,
  async run({ session, args }) {
    const manager = session.facts.packageManager;
    if (!manager) return failed('no supported package manager (apt, dnf, yum) on this host');
    const names = (Array.isArray(args.name) ? args.name : [args.name]).map(String);
    const state = String(args.state ?? 'present');
    const installed = await installedPackages(session, names);
    const todo =
      state === 'absent' ? names.filter((n) => installed.has(n)) : names.filter((n) => !installed.has(n));
    if (state === 'latest') todo.push(...names.filter((n) => installed.has(n)));
    if (todo.length === 0) return outcome([]);
    const action = state === 'absent' ? 'remove' : state === 'latest' ? 'latest' : 'install';
    const changes: Change[] = todo.map((n) => ({
      kind: 'package',
      action: action === 'remove' ? 'remove' : 'install',
      target: n,
      summary: action === 'latest' && installed.has(n) ? 'upgrade if newer' : action,
    }));
    if (session.check) return outcome(changes);
    const result = await session.conn.exec(packageCommand(manager, action, todo), { become: session.become });
    if (result.code !== 0)
      return failed(`${manager} ${action} ${todo.join(' ')} failed:\n${result.stderr || result.stdout}`);
    if (action === 'latest' && /0 upgraded, 0 newly installed|Nothing to do/.test(result.stdout))
      return outcome([]);
    return outcome(changes);
  },
};
