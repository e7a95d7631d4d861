/**
 * The rendered configurations are the product: each golden variant is compared byte for byte with
 * test/golden/<variant>.conf. `UPDATE_GOLDEN=1 npx vitest run test/unit/patterns/golden.test.ts`
 * rewrites them (then read the diff before keeping it).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfig } from '../../../src/patterns/index.js';
import { goldenVariants } from '../../golden/cases.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const variants = goldenVariants();

describe('golden configurations', () => {
  it.each(variants.map((v) => [v.file, v] as const))('%s matches its golden file', (file, v) => {
    const rendered = renderConfig(v.case.deployment, { ...v.options, confPrefix: '/etc/nginx' });
    const path = join(GOLDEN_DIR, `${file}.conf`);
    if (UPDATE) writeFileSync(path, rendered.content);
    if (!existsSync(path)) throw new Error(`${path} is missing: run with UPDATE_GOLDEN=1 to create it`);
    expect(rendered.content).toBe(readFileSync(path, 'utf8'));
  });

  it('has no stale golden files', () => {
    const expected = new Set(variants.map((v) => `${v.file}.conf`));
    const stale = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.conf') && !expected.has(f));
    expect(stale).toEqual([]);
  });

  it('covers every pattern of the docs, with sticky ones also as sticky cookie', () => {
    const files = variants.map((v) => v.file);
    expect(files.filter((f) => f.endsWith('sticky-cookie')).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.includes('oss-1.22.1')).length).toBe(10);
  });
});
