import {
  factsScript,
  parseAnswers,
  parseFacts,
  type FactAnswers,
  type FactQuery,
  type HostFacts,
} from '../remote/index.js';
import type { HostConnection } from '../transport/types.js';
import { REMOTE_STATE_DIR } from './run-options.js';

/**
 * One round trip: OS, package and service managers, nginx -V, the tool's state and records, and
 * the answers to `queries`. `probeSysv`: an init script's status may be run (never in check mode).
 */
export async function gatherFacts(
  conn: HostConnection,
  queries: readonly FactQuery[],
  become: boolean,
  probeSysv: boolean,
  stateDir = REMOTE_STATE_DIR,
): Promise<HostFacts> {
  return parseFacts(await run(conn, queries, become, probeSysv, true, stateDir));
}

/** One round trip for what a plan asks beyond the facts it has: the answers only. */
export async function gatherAnswers(
  conn: HostConnection,
  queries: readonly FactQuery[],
  become: boolean,
  probeSysv: boolean,
): Promise<FactAnswers> {
  return parseAnswers(await run(conn, queries, become, probeSysv, false, REMOTE_STATE_DIR));
}

async function run(
  conn: HostConnection,
  queries: readonly FactQuery[],
  become: boolean,
  probeSysv: boolean,
  basics: boolean,
  stateDir: string,
): Promise<string> {
  const script = factsScript({ queries, stateDir, probeSysvServices: probeSysv, basics });
  const result = await conn.run(script, { become });
  if (result.code !== 0) {
    throw new Error(
      `gathering facts failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result.stdout;
}
