import { shellQuote } from '../transport/shell-quote.js';
import type { ExecResult, HostConnection } from '../transport/types.js';

/** Runs a script that holds no secrets, sent on stdin (one round trip). */
export function runScript(conn: HostConnection, script: string, become: boolean): Promise<ExecResult> {
  return conn.exec('sh -s', { stdin: script, become });
}

/**
 * Runs a script that carries secrets (keys, licences): uploaded over SFTP into a private 0600 file
 * first, so no secret ever sits on a command line, and a transfer cut half-way runs nothing.
 */
export async function runPrivateScript(
  conn: HostConnection,
  script: string,
  name: string,
  become: boolean,
): Promise<ExecResult> {
  const path = await conn.uploadPrivate(Buffer.from(script), name);
  const q = shellQuote(path);
  // The script is removed whatever happens, by the login user who owns it.
  const result = await conn.exec(`sh ${q}`, { become });
  await conn.exec(`rm -f ${q}`).catch(() => undefined);
  return result;
}
