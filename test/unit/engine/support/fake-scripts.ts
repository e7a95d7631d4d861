/**
 * Reads the inputs the engine's generated scripts carry (paths, plan lines, payloads), so the fake
 * host can answer exactly what the real script would print for them. Only the data blocks are
 * parsed; the shell logic itself is tested for real in test/integration/remote-scripts.test.ts.
 */

export type ScriptKind = 'facts' | 'read-files' | 'transaction' | 'install' | 'rollback' | 'unknown';

/** The title line `# apim-provision <what>` every generated script starts with. */
export function scriptKind(script: string): ScriptKind {
  const title = script.split('\n', 2)[1] ?? '';
  if (title.startsWith('# apim-provision facts')) return 'facts';
  if (title.startsWith('# apim-provision read files')) return 'read-files';
  if (title.startsWith('# apim-provision transaction')) return 'transaction';
  if (title.startsWith('# apim-provision nginx install')) return 'install';
  if (title.startsWith('# apim-provision rollback')) return 'rollback';
  return 'unknown';
}

function heredocs(script: string, end: string): string[] {
  const re = new RegExp(`<<'${end}'\\n([\\s\\S]*?)\\n?${end}`, 'g');
  return [...script.matchAll(re)].map((m) => m[1] ?? '');
}

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

/** The paths a facts or read-files script asks about (base64, one per line, in its last data block). */
export function requestedPaths(script: string): string[] {
  const block = heredocs(script, 'APIM_DATA_END').at(-1) ?? '';
  return block
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(decode);
}

export interface PlanEntry {
  kind: 'D' | 'F' | 'X';
  index: number;
  mode: string;
  owner: string;
  group: string;
  /** sha256 the plan saw, `absent`, or `-` (folders). */
  expected: string;
  want: string;
  path: string;
}

export interface TransactionInput {
  runId: string;
  reload: boolean;
  validate: boolean;
  plan: PlanEntry[];
  managed: string[];
  payloads: Map<number, Buffer>;
}

function shellVar(script: string, name: string): string {
  const m = new RegExp(`^${name}=(?:'([^']*)'|(\\S*))$`, 'm').exec(script);
  return m?.[1] ?? m?.[2] ?? '';
}

/** The transaction's spec, recovered from the plan, managed-files and payload heredocs. */
export function transactionInput(script: string): TransactionInput {
  const planBlock = /cat >"\$WORK\/plan" <<'APIM_DATA_END'\n([\s\S]*?)APIM_DATA_END/.exec(script)?.[1] ?? '';
  const managedBlock =
    /cat >"\$WORK\/managed\.new" <<'APIM_DATA_END'\n([\s\S]*?)APIM_DATA_END/.exec(script)?.[1] ?? '';
  const plan = planBlock
    .split('\n')
    .filter((l) => l !== '')
    .map((line): PlanEntry => {
      const [kind, index, mode, owner, group, expected, want, b64] = line.split(' ');
      return {
        kind: kind as PlanEntry['kind'],
        index: Number(index),
        mode: mode ?? '-',
        owner: owner ?? '-',
        group: group ?? '-',
        expected: expected ?? '-',
        want: want ?? '-',
        path: decode(b64 ?? ''),
      };
    });
  const payloads = new Map<number, Buffer>();
  const re =
    /apim_b64dec >"\$WORK\/payload\/(\d+)" <<'APIM_PAYLOAD_END' \|\| return 1\n([\s\S]*?)\n?APIM_PAYLOAD_END/g;
  for (const m of script.matchAll(re))
    payloads.set(Number(m[1]), Buffer.from((m[2] ?? '').replace(/\n/g, ''), 'base64'));
  return {
    runId: shellVar(script, 'RUN_ID'),
    reload: shellVar(script, 'RELOAD_REQUESTED') === '1',
    validate: shellVar(script, 'VALIDATE') === '1',
    plan,
    managed: managedBlock.split('\n').filter((l) => l !== ''),
    payloads,
  };
}

/** The shell words of a simple command line (quoting as transport/shell-quote.ts writes it). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
