import { factsScript, parseFacts, type HostFacts } from '../remote/index.js';
import type { HostConnection } from '../transport/types.js';
import { REMOTE_STATE_DIR } from './run-options.js';
import { runScript } from './remote-run.js';

/** One round trip: OS, package and service managers, nginx -V, and the state of every managed path. */
export async function gatherFacts(
  conn: HostConnection,
  paths: string[],
  become: boolean,
): Promise<HostFacts> {
  const result = await runScript(conn, factsScript({ paths, stateDir: REMOTE_STATE_DIR }), become);
  if (result.code !== 0) {
    throw new Error(
      `gathering facts failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return parseFacts(result.stdout);
}

/** Just the state of some paths (for the generic `file` module). */
export async function gatherFileFacts(
  conn: HostConnection,
  paths: string[],
  become: boolean,
): Promise<HostFacts['files']> {
  return (await gatherFacts(conn, paths, become)).files;
}
