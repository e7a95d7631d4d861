import type { Change, DesiredDirectory, DesiredFile } from '../modules/contract.js';
import { expectedContent, planDirectory, planFile, planRetirement, stagingProblem } from './desired-state.js';
import type { HostSession } from './host-session.js';
import { unifiedDiff } from './unified-diff.js';

/**
 * Plans files and folders against the host's facts, stages what differs for the next transaction,
 * and returns the changes (with unified diffs of text files when asked; never of secrets), or the
 * reason a path cannot be staged.
 */
export async function stageFiles(
  session: HostSession,
  files: DesiredFile[],
  directories: DesiredDirectory[],
): Promise<Change[] | string> {
  await session.ask([...directories, ...files].map((d) => ({ kind: 'file' as const, path: d.path })));
  for (const dir of directories) {
    const problem = stagingProblem('directory', dir.path, session.fileFact(dir.path));
    if (problem) return problem;
  }
  for (const file of files) {
    const problem = stagingProblem('file', file.path, session.fileFact(file.path));
    if (problem) return problem;
  }
  const changes: Change[] = [];
  for (const dir of directories) {
    const change = planDirectory(dir, session.fileFact(dir.path));
    if (!change) continue;
    changes.push(change);
    session.staged.addDirectory(dir);
    session.assumeDirectory(dir);
  }
  const fileChanges: { file: DesiredFile; change: Change }[] = [];
  for (const file of files) {
    const fact = session.fileFact(file.path);
    const change = planFile(file, fact);
    if (!change) continue;
    fileChanges.push({ file, change });
    session.staged.addFile(file, expectedContent(fact) ?? 'absent');
  }
  if (session.options.diff) await attachDiffs(session, fileChanges);
  for (const { file, change } of fileChanges) {
    changes.push(change);
    session.assumeFile(file);
  }
  return changes;
}

/**
 * Retires what `manager` recorded on the host and no longer manages: each removal is staged with a
 * compare-and-swap and shown as a change. Never removed: a file another module records, one staged
 * by this run, one changed since the module wrote it (or of unknown origin), or anything that is no
 * longer a file; those are left in place with a warning.
 */
export function retire(
  session: HostSession,
  manager: string,
  manages: ReadonlyMap<string, string | undefined>,
): { changes: Change[]; warnings: string[] } {
  const before = session.declareManaged(manager, manages);
  const changes: Change[] = [];
  const warnings: string[] = [];
  for (const path of before) {
    if (manages.has(path) || session.staged.files.has(path) || session.managedByOther(manager, path))
      continue;
    const fact = session.fileFact(path);
    const change = planRetirement(path, manager, fact);
    if (!change) continue;
    const expected = expectedContent(fact);
    const written = session.facts.state.recordedSha[path];
    if (expected === undefined || written === undefined || expected !== written) {
      warnings.push(
        `${path} is no longer managed by ${manager}, but it was changed on the host since ${manager} wrote it: left in place (remove it yourself if it is not needed)`,
      );
      continue;
    }
    changes.push(change);
    session.staged.addDelete(path, expected);
    session.assumeAbsent(path);
  }
  return { changes, warnings };
}

async function attachDiffs(
  session: HostSession,
  items: { file: DesiredFile; change: Change }[],
): Promise<void> {
  const shown = items.filter(({ file }) => !file.secret && !file.certificate);
  const updated = shown.filter(({ change }) => change.summary.includes('content'));
  await session.ask(updated.map(({ file }) => ({ kind: 'content' as const, path: file.path })));
  for (const { file, change } of updated) {
    const old = session.facts.contents[file.path];
    change.diff = unifiedDiff(file.path, old ? shownText(file, old) : null, shownText(file, file.content));
  }
  for (const { file, change } of shown.filter(({ change }) => change.action === 'create'))
    change.diff = unifiedDiff(file.path, null, shownText(file, file.content));
}

/** A side of a file's diff: its text, through the file's diffFilter (secret values masked). */
function shownText(file: DesiredFile, content: Buffer): string {
  const text = content.toString('utf8');
  return file.diffFilter ? file.diffFilter(text) : text;
}
