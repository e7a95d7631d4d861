import { factsScript, parseFacts, type FactQuery, type HostFacts } from '../remote/index.js';
import type { HostConnection } from '../transport/types.js';
import { REMOTE_STATE_DIR } from './run-options.js';
import { runScript } from './remote-run.js';

/**
 * One round trip: OS, package and service managers, nginx -V, the tool's state and records, and
 * the answers to `queries`. `probeSysv`: an init script's status may be run (never in check mode).
 */
export async function gatherFacts(
  conn: HostConnection,
  queries: readonly FactQuery[],
  become: boolean,
  probeSysv: boolean,
): Promise<HostFacts> {
  const script = factsScript({ queries, stateDir: REMOTE_STATE_DIR, probeSysvServices: probeSysv });
  const result = await runScript(conn, script, become);
  if (result.code !== 0) {
    throw new Error(
      `gathering facts failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return parseFacts(result.stdout);
}
