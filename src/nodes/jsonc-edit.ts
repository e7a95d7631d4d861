import type * as Jsonc from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';
import { lazyRequire } from '../domain/lazy-require.js';
import { applyEach, NodeFileError, type EditResult, type StepResult } from './edit-result.js';
import { settingKeyLabel } from './setting-label.js';
import type { JsoncKeyRef, SettingValue } from './types.js';

export interface JsoncSetting {
  key: JsoncKeyRef;
  value: SettingValue;
}

/** Only the 2.6 portals' site.json needs it: not compiled from node_modules at every start-up. */
const jsonc = lazyRequire<typeof Jsonc>('jsonc-parser');

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function tree(file: string, text: string): Node {
  const errors: ParseError[] = [];
  const root = jsonc().parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first || !root) {
    const where = first
      ? `line ${lineOf(text, first.offset)}: ${jsonc().printParseErrorCode(first.error)}`
      : 'empty file';
    throw new NodeFileError(
      file,
      `${where}: not valid JSON (comments allowed); fix the file by hand, nothing was changed`,
    );
  }
  return root;
}

/**
 * Sets values in a JSON file with comments (the 2.6 portals' site.json) through jsonc-parser's
 * edits: only the value changes (or one property is added, indented like its siblings), comments
 * and every other property stay as they are.
 */
export function editJsonc(file: string, text: string, settings: JsoncSetting[]): EditResult {
  tree(file, text);
  return applyEach(text, settings, (current, s, eol): StepResult => {
    const label = settingKeyLabel(s.key);
    const node = jsonc().findNodeAtLocation(tree(file, current), s.key.path);
    if (node && node.value === s.value) return { text: current };
    if (node && (node.type === 'object' || node.type === 'array')) {
      throw new NodeFileError(
        file,
        `line ${lineOf(current, node.offset)}: ${label} holds an ${node.type}, not a value; set it by hand to ${JSON.stringify(s.value)}`,
      );
    }
    const before = node ? current.slice(node.offset, node.offset + node.length) : undefined;
    const edits = jsonc().modify(current, s.key.path, s.value, {
      formattingOptions: { insertSpaces: true, tabSize: 4, eol },
    });
    const out = jsonc().applyEdits(current, edits);
    tree(file, out);
    return { text: out, change: { label, ...(before !== undefined ? { before } : {}), after: s.value } };
  });
}
