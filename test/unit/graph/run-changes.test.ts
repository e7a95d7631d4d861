/** `withRunChanges`: what a run (would) change on each load balancer, sorted into the picture's parts. */
import { describe, expect, it } from 'vitest';
import { withRunChanges, type RunOutcome } from '../../../src/graph/index.js';
import { changeLines, outcomeLabel, wrapText } from '../../../src/graph/labels.js';
import {
  drifted,
  failed,
  firstInstall,
  genericTasks,
  summary,
  unchanged,
  unreachable,
} from './run-fixtures.js';
import { exampleGraph, keep } from './support.js';

const twoLbs = () => exampleGraph('inventories/with-group-vars/inventory.yml');

describe('withRunChanges', () => {
  it("accepts the engine's RunSummary as it is", () => {
    const run: RunOutcome = summary(true, []);
    expect(withRunChanges(twoLbs(), run, keep).run).toEqual({ check: true });
  });

  it('sorts a first install into install, certificate, configuration and reload; its pools are new', () => {
    const g = withRunChanges(twoLbs(), summary(true, [firstInstall('lb1'), unchanged('lb2')]), keep);
    const [lb1, lb2] = g.loadBalancers;
    expect(lb1!.changes).toEqual({
      outcome: 'changes',
      areas: [
        { area: 'install', lines: ['install nginx'] },
        {
          area: 'certificate',
          lines: [
            'create /etc/nginx/ssl/apim.crt',
            'create /etc/nginx/ssl/apim.key',
            'create folder /etc/nginx/ssl',
          ],
        },
        { area: 'config', lines: ['create /etc/nginx/conf.d/apim.conf', 'create 3 folders'] },
        { area: 'reload', lines: ['reload nginx'] },
      ],
    });
    expect(lb1!.pools.every((p) => p.isNew)).toBe(true);
    expect(outcomeLabel(lb1!.changes!, g)).toBe('WOULD CHANGE');
    expect(changeLines(lb1!.changes!)).toContain('configuration: create /etc/nginx/conf.d/apim.conf');
    expect(lb2!.changes).toEqual({ outcome: 'unchanged', areas: [] });
    expect(lb2!.pools.some((p) => p.isNew)).toBe(false);
  });

  it('says what an update changes, and "CHANGED" for a real run', () => {
    const g = withRunChanges(twoLbs(), summary(false, [drifted('lb1'), drifted('lb2')]), keep);
    expect(g.loadBalancers[0]!.changes?.areas).toEqual([
      { area: 'config', lines: ['update /etc/nginx/conf.d/apim.conf (content)'] },
      { area: 'reload', lines: ['reload nginx'] },
    ]);
    expect(g.loadBalancers[0]!.pools.some((p) => p.isNew)).toBe(false);
    expect(outcomeLabel(g.loadBalancers[0]!.changes!, g)).toBe('CHANGED');
  });

  it('marks unreachable and failed hosts with the first line of their error, and hosts not in the run', () => {
    const g = withRunChanges(twoLbs(), summary(true, [unreachable('lb1')]), keep);
    expect(g.loadBalancers[0]!.changes).toEqual({
      outcome: 'unreachable',
      areas: [],
      error: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(g.loadBalancers[1]!.changes).toEqual({ outcome: 'not-in-run', areas: [] });
    expect(outcomeLabel(g.loadBalancers[1]!.changes!, g)).toBe('not in this run');

    const f = withRunChanges(
      twoLbs(),
      summary(true, [failed('lb2', 'nginx -t refused the candidate\nline 2')]),
      keep,
    );
    expect(f.loadBalancers[1]!.changes).toMatchObject({
      outcome: 'failed',
      error: 'nginx -t refused the candidate',
    });
    expect(f.loadBalancers[1]!.changes?.areas).toEqual([
      { area: 'config', lines: ['update /etc/nginx/conf.d/apim.conf (content)'] },
    ]);
    expect(outcomeLabel(f.loadBalancers[1]!.changes!, f)).toBe('FAILED: nginx -t refused the candidate');
  });

  it("sorts a custom playbook's generic tasks by what they change", () => {
    const g = withRunChanges(twoLbs(), summary(true, [genericTasks('lb1')]), keep);
    expect(g.loadBalancers[0]!.changes?.areas).toEqual([
      { area: 'install', lines: ['install nginx-extras'] },
      { area: 'other', lines: ['create /etc/nginx/conf.d/extra.conf', 'restart nginx'] },
    ]);
    expect(changeLines(g.loadBalancers[0]!.changes!)).toContain('other tasks: restart nginx');
  });

  it('leaves the picture it was given alone', () => {
    const g = twoLbs();
    const before = JSON.stringify(g);
    withRunChanges(g, summary(true, [firstInstall('lb1')]), keep);
    expect(JSON.stringify(g)).toBe(before);
  });

  it('wraps a long error into lines of at most 72 characters, no word lost', () => {
    const error =
      'Cannot reach lb-gone (127.0.0.1:42351) after 3 attempts: cannot reach 127.0.0.1:42351: connect ECONNREFUSED 127.0.0.1:42351. Check that the host is up, that sshd listens on that port, and that no firewall blocks it.';
    const g = withRunChanges(twoLbs(), summary(true, [{ ...unreachable('lb1'), error }]), keep);
    const lines = wrapText(outcomeLabel(g.loadBalancers[0]!.changes!, g));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.length <= 72)).toBe(true);
    expect(lines.join(' ')).toBe(`UNREACHABLE: ${error}`);
    expect(wrapText('a-word-longer-than-the-width', 10)).toEqual(['a-word-longer-than-the-width']);
    expect(wrapText('')).toEqual([]);
  });

  it('passes every text it takes from the run through scrub (errors, targets, summaries)', () => {
    const seen: string[] = [];
    const scrub = (t: string) => {
      seen.push(t);
      return t.replaceAll('hunter2', '********');
    };
    const run = summary(true, [
      failed('lb1', 'password hunter2\nwas refused'),
      {
        ...drifted('lb2'),
        tasks: [
          {
            ...drifted('lb2').tasks[2]!,
            changes: [{ kind: 'command', action: 'run', target: 'echo hunter2', summary: 'hunter2' }],
          },
        ],
      },
    ]);
    const g = withRunChanges(twoLbs(), run, scrub);
    expect(g.loadBalancers[0]!.changes?.error).toBe('password ********');
    expect(JSON.stringify(g)).not.toContain('hunter2');
    expect(seen).toContain('password hunter2\nwas refused');
  });
});
