import { resolve } from 'node:path';
import type { Diagnostic } from '../input/diagnostics.js';
import { ShlexError, shlexSplit } from '../input/shlex.js';
import { parseYamlText, readYamlFile, type YamlOptions } from '../input/yaml-source.js';
import { isFloatAt } from '../domain/tagged-values.js';
import {
  describeType,
  isPlainObject,
  pseudoSource,
  type InputSource,
  type ScopedVars,
  type VarValue,
} from './inventory-tree.js';

/**
 * Ansible's --extra-vars: `@file` (YAML or JSON), an inline YAML/JSON mapping (`{...}` or `[...]`),
 * or `key=value` pairs (values are strings, as in Ansible). Later arguments win.
 */
export function parseExtraVars(
  args: readonly string[],
  options: Pick<YamlOptions, 'decryptFile'> = {},
): { vars: ScopedVars; diagnostics: Diagnostic[] } {
  const vars: ScopedVars = new Map();
  const diagnostics: Diagnostic[] = [];
  args.forEach((arg, index) => {
    if (arg.startsWith('@')) {
      const file = resolve(arg.slice(1));
      const { source, diagnostics: d } = readYamlFile(file, { kind: 'extra vars file', ...options });
      diagnostics.push(...d);
      if (!source) return;
      if (source.data === null || source.data === undefined) return;
      if (!isPlainObject(source.data)) {
        diagnostics.push(
          source.diagnostic(
            [],
            `extra vars must be a mapping, got ${describeType(source.data)}`,
            'write name: value lines',
          ),
        );
        return;
      }
      addAll(vars, source.data, source);
      return;
    }
    const src = pseudoSource(`-e #${index + 1}`);
    if (/^\s*[[{]/.test(arg)) {
      const { source, diagnostics: d } = parseYamlText(src.file, arg);
      diagnostics.push(...d);
      if (!source) return;
      if (!isPlainObject(source.data)) {
        diagnostics.push(
          src.diagnostic(
            [],
            `-e ${JSON.stringify(arg)} must be a mapping, got ${describeType(source.data)}`,
            'write -e \'{"name": "value"}\'',
          ),
        );
        return;
      }
      addAll(vars, source.data, src);
      return;
    }
    let words: string[];
    try {
      words = shlexSplit(arg);
    } catch (err) {
      if (!(err instanceof ShlexError)) throw err;
      diagnostics.push(src.diagnostic([], `-e ${JSON.stringify(arg)}: ${err.message}`, 'close the quote'));
      return;
    }
    for (const word of words) {
      const eq = word.indexOf('=');
      if (eq <= 0) {
        diagnostics.push(
          src.diagnostic(
            [],
            `-e ${JSON.stringify(word)} is not key=value`,
            'write -e name=value, -e \'{"name": value}\' or -e @file.yml',
          ),
        );
        continue;
      }
      const name = word.slice(0, eq);
      vars.set(name, { value: word.slice(eq + 1), origin: { source: src, path: [name] } });
    }
  });
  return { vars, diagnostics };
}

function addAll(vars: ScopedVars, data: Record<string, unknown>, source: InputSource): void {
  for (const [name, value] of Object.entries(data)) {
    const v: VarValue = { value, origin: { source, path: [name] } };
    if (isFloatAt(data, name)) v.float = true;
    if (source.fromVault) v.secret = true;
    vars.set(name, v);
  }
}
