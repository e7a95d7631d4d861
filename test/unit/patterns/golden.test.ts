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

  it('covers every layout of the docs, sticky ones also as sticky cookie, some as NGINX Plus', () => {
    const files = new Set(variants.map((v) => v.file));
    const layouts = [
      '3x-single-node', // SN, every version's single node tab
      '3x-active-active', // AA
      '3x-ha-gateway-1-manager', // LB-3 HA for Gateway
      '3x-ha-gateway-2-managers',
      '3x-gateway-cluster', // DIST-3 shared-file-system Gateways
      '3x-ha-publisher',
      '3x-ha-store',
      '3x-ha-keymanager',
      '3x-ha-traffic-manager', // DIST-3 Traffic Manager LB host
      '3x-active-active-context-path', // PROXYPATH
      '26-fully-distributed', // LB-2.6 and the 2.6 distributed page
      '4x-active-active',
      '4x-distributed', // LB-4 HA Gateway, Control Plane, Traffic Manager
      '4x-distributed-keymanager', // DIST-4-KM, with WebSub
      '4x-simple-scalable', // SIMPLE-4
      '4x-distributed-hardened', // every production setting
    ];
    for (const name of layouts)
      expect(
        files.has(
          `${name}.oss-1.22.1${name === '3x-single-node' || name === '3x-ha-gateway-1-manager' ? '' : '-ip_hash'}`,
        ),
        name,
      ).toBe(true);
    expect([...files].filter((f) => f.endsWith('sticky-cookie'))).toHaveLength(layouts.length - 2);
    expect([...files].filter((f) => f.includes('.plus-'))).toEqual([
      '3x-active-active.plus-r33',
      '4x-distributed-hardened.plus-r33',
    ]);
  });
});
