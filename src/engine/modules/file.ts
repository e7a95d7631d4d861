import { shellQuote } from '../../transport/shell-quote.js';
import { normaliseMode } from '../desired-state.js';
import { gatherFileFacts } from '../gather-facts.js';
import type { Change } from '../types.js';
import { failed, outcome, type ModuleDefinition } from './module.js';

/** `file`: folders, empty files, removal, mode and owner, done at once (nothing to stage). */
export const fileModule: ModuleDefinition = {
  staged: false,
  async run({ session, args }) {
    const path = String(args.path);
    const q = shellQuote(path);
    const state = String(args.state ?? 'file');
    const fact = (await gatherFileFacts(session.conn, [path], session.become))[path];
    const exists = fact?.exists === true;
    const changes: Change[] = [];
    const commands: string[] = [];
    if (state === 'absent') {
      if (exists) {
        changes.push({
          kind: fact.type === 'directory' ? 'directory' : 'file',
          action: 'delete',
          target: path,
          summary: 'remove',
        });
        commands.push(`rm -rf -- ${q}`);
      }
    } else {
      const kind = state === 'directory' ? 'directory' : 'file';
      if (!exists) {
        if (state === 'file')
          return failed(`${path} does not exist (state: file only changes an existing file; use touch)`);
        changes.push({ kind, action: 'create', target: path, summary: 'create' });
        commands.push(state === 'directory' ? `mkdir -p -- ${q}` : `touch -- ${q}`);
      } else if ((state === 'directory') !== (fact.type === 'directory')) {
        return failed(`${path} exists as a ${fact.type}, not a ${kind}`);
      }
      if (
        args.mode !== undefined &&
        (!exists || normaliseMode(fact.mode) !== normaliseMode(String(args.mode)))
      ) {
        changes.push({
          kind,
          action: 'update',
          target: path,
          summary: `mode ${normaliseMode(String(args.mode))}`,
        });
        commands.push(`chmod ${normaliseMode(String(args.mode))} -- ${q}`);
      }
      const owner = args.owner !== undefined ? String(args.owner) : undefined;
      const group = args.group !== undefined ? String(args.group) : undefined;
      if ((owner && (!exists || fact.owner !== owner)) || (group && (!exists || fact.group !== group))) {
        changes.push({
          kind,
          action: 'update',
          target: path,
          summary: `owner ${owner ?? ''}:${group ?? ''}`,
        });
        commands.push(`chown ${owner ?? ''}${group ? `:${group}` : ''} -- ${q}`);
      }
    }
    if (session.check || commands.length === 0) return outcome(changes);
    const result = await session.conn.exec(commands.join(' && '), { become: session.become });
    if (result.code !== 0)
      return failed(`${commands.join(' && ')} failed: ${(result.stderr || result.stdout).trim()}`);
    return outcome(changes);
  },
};
