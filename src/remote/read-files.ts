import { CORE_FUNCTIONS, PRELUDE } from './shell-lib.js';
import { Records, RemoteOutputError, decodeText, decodeValue } from './output-protocol.js';
import { assembleScript, assertAbsolutePath, base64One } from './shell.js';

/**
 * Reads files back (for diffs of non-secret text files and for the deployed certificate). Never use
 * it on private keys: the content travels in the script's output.
 */
export function readFilesScript(paths: string[]): string {
  for (const p of paths) assertAbsolutePath(p, 'path');
  return assembleScript('apim-provision read files', [
    PRELUDE,
    CORE_FUNCTIONS,
    'apim_read_one() {',
    '  p=$(printf \'%s\' "$1" | apim_b64dec)',
    '  if [ -f "$p" ] && [ -r "$p" ]; then apim_emit content "$1 $(apim_b64enc <"$p")"; else apim_emit missing "$1"; fi',
    '}',
    `while IFS= read -r b64; do [ -n "$b64" ] && apim_read_one "$b64"; done <<'APIM_DATA_END'\n${paths.map(base64One).join('\n')}\nAPIM_DATA_END`,
    'apim_emit done 1',
  ]);
}

/** Path -> content, or null when the file does not exist (or is not a readable regular file). */
export function parseReadFiles(stdout: string): Map<string, Buffer | null> {
  const r = Records.parse(stdout);
  if (!r.flag('done')) throw new RemoteOutputError('the read-files script did not finish', stdout);
  const result = new Map<string, Buffer | null>();
  for (const v of r.all('content')) {
    const [path, content] = v.split(' ');
    result.set(decodeText(path ?? ''), decodeValue(content ?? ''));
  }
  for (const v of r.all('missing')) result.set(decodeText(v), null);
  return result;
}
