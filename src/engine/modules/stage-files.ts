import { parseReadFiles, readFilesScript } from '../../remote/index.js';
import { unifiedDiff } from '../unified-diff.js';
import type { DesiredDirectory, DesiredFile } from '../desired-state.js';
import { planDelete, planDirectory, planFile } from '../desired-state.js';
import { gatherFileFacts } from '../gather-facts.js';
import type { HostSession } from '../host-session.js';
import { runScript } from '../remote-run.js';
import type { Change } from '../types.js';

/** Reads files from the host in one round trip (as root when the host uses become). */
export async function readRemoteFiles(
  session: HostSession,
  paths: string[],
): Promise<Map<string, Buffer | null>> {
  if (paths.length === 0) return new Map();
  const result = await runScript(session.conn, readFilesScript(paths), session.become);
  if (result.code !== 0) throw new Error(`reading ${paths.join(', ')} failed: ${result.stderr.trim()}`);
  return parseReadFiles(result.stdout);
}

/**
 * Plans files and folders against the host's facts, stages what differs for the next transaction,
 * and returns the changes (with unified diffs of text files when asked; never of secrets).
 */
export async function stageFiles(
  session: HostSession,
  files: DesiredFile[],
  directories: DesiredDirectory[] = [],
  deletes: string[] = [],
): Promise<Change[]> {
  const unknown = [...directories.map((d) => d.path), ...files.map((f) => f.path), ...deletes].filter(
    (p) => session.fileFact(p) === undefined,
  );
  if (unknown.length > 0) {
    Object.assign(session.facts.files, await gatherFileFacts(session.conn, unknown, session.become));
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
    session.staged.addFile(file, fact?.exists && fact.type === 'file' ? (fact.sha256 ?? null) : null);
  }
  if (session.options.diff) await attachDiffs(session, fileChanges);
  for (const { file, change } of fileChanges) {
    changes.push(change);
    session.assumeFile(file);
  }
  for (const path of deletes) {
    const fact = session.fileFact(path);
    const change = planDelete(path, fact);
    if (!change) continue;
    changes.push(change);
    session.staged.addDelete(path, fact?.exists && fact.type === 'file' ? (fact.sha256 ?? null) : null);
    session.assumeAbsent(path);
  }
  return changes;
}

async function attachDiffs(
  session: HostSession,
  items: { file: DesiredFile; change: Change }[],
): Promise<void> {
  const textual = items.filter(
    ({ file, change }) => !file.secret && !file.certificate && change.summary.includes('content'),
  );
  const creates = items.filter(
    ({ file, change }) => !file.secret && !file.certificate && change.action === 'create',
  );
  const before = await readRemoteFiles(
    session,
    textual.map(({ file }) => file.path),
  );
  for (const { file, change } of textual) {
    const old = before.get(file.path);
    change.diff = unifiedDiff(file.path, old ? old.toString('utf8') : null, file.content.toString('utf8'));
  }
  for (const { file, change } of creates)
    change.diff = unifiedDiff(file.path, null, file.content.toString('utf8'));
}
