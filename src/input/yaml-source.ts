import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

export type KeyPath = readonly (string | number)[];

/** A parsed YAML file that can say where any key path is, for error messages. */
export interface YamlSource {
  file: string;
  data: unknown;
  /** Line/column (1-based) of the key at `path`, or of its nearest existing ancestor. */
  locate(path: KeyPath, onKey?: boolean): { line: number; column: number };
  diagnostic(path: KeyPath, message: string, fix: string, severity?: Diagnostic['severity']): Diagnostic;
}

export function keyPathString(path: KeyPath): string {
  return path.map(String).join('.');
}

/** Reads and parses a YAML file; syntax errors come back as diagnostics with positions. */
export function readYamlFile(file: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return {
      diagnostics: [
        {
          file,
          line: 0,
          column: 0,
          key: '',
          message: `cannot read file (${code})`,
          fix: 'check the path and that the file is readable by the current user',
          severity: 'error',
        },
      ],
    };
  }
  return parseYamlText(file, text);
}

export function parseYamlText(
  file: string,
  text: string,
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    diagnostics.push({
      file,
      line: pos.line,
      column: pos.col,
      key: '',
      message: `YAML syntax: ${e.message.split('\n')[0]}`,
      fix:
        e.code === 'DUPLICATE_KEY'
          ? 'remove or rename the repeated key: YAML keeps only one of them'
          : 'fix the YAML syntax at this position (indentation, quoting, a missing colon)',
      severity: 'error',
    });
  }
  if (diagnostics.length > 0) return { diagnostics };
  const source = makeSource(file, doc, lineCounter);
  return { source, diagnostics };
}

function makeSource(file: string, doc: Document, lineCounter: LineCounter): YamlSource {
  const locate = (path: KeyPath, onKey = true) => {
    let node: unknown = doc.contents;
    let offset = doc.contents?.range?.[0] ?? 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(seg),
        );
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        const valueNode = pair.value as Node | null;
        offset = (onKey ? keyNode?.range?.[0] : (valueNode?.range?.[0] ?? keyNode?.range?.[0])) ?? offset;
        node = valueNode;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    file,
    data: doc.toJS({ maxAliasCount: 1000 }),
    locate,
    diagnostic(path, message, fix, severity = 'error') {
      const { line, column } = locate(path);
      return { file, line, column, key: keyPathString(path), message, fix, severity };
    },
  };
}
