import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { parse as parseTomlOracle } from 'smol-toml';
import { expect } from 'vitest';

const STOCK = join(import.meta.dirname, '..', '..', '..', 'vagrant', 'standin', 'carbon');

/**
 * A stock WSO2 file as the lab's stand-in homes get it (vagrant/standin/carbon/<version>/, written
 * from the docs' default files), e.g. `stockFile('4.2.0', 'repository/conf/deployment.toml')`.
 */
export function stockFile(version: '2.6.0' | '3.2.0' | '4.2.0', path: string): string {
  return readFileSync(join(STOCK, version, path), 'utf8');
}

/** Lines removed and added between two texts (what `--diff` would show). */
export function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.removed) removed.push(...lines);
    if (part.added) added.push(...lines);
  }
  return { removed, added };
}

/** An independent TOML parser (smol-toml) as the oracle for what a file means. */
export function tomlValue(text: string): Record<string, unknown> {
  return parseTomlOracle(text);
}

export function at(root: unknown, ...path: Array<string | number>): unknown {
  let cur = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Every line of `before` that is a comment is still there, in the same order. */
export function expectCommentsKept(before: string, after: string): void {
  const comments = (t: string): string[] => t.split('\n').filter((l) => /^\s*(#|<!--|\/\/)/.test(l));
  expect(comments(after)).toEqual(comments(before));
}

/** A deep copy of `root` with the values at `paths` removed. */
export function without(root: unknown, paths: Array<Array<string | number>>): unknown {
  const copy = structuredClone(root);
  for (const path of paths) {
    const parent = at(copy, ...path.slice(0, -1));
    const last = path[path.length - 1];
    if (parent !== null && typeof parent === 'object' && last !== undefined)
      delete (parent as Record<string | number, unknown>)[last];
  }
  return copy;
}
