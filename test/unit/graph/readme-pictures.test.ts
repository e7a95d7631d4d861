/**
 * The README's pictures are what `npm run readme-graphs` draws from the example inventories today:
 * a change of the inventories, the patterns or the picture code that changes them fails here until
 * the script is run again (and the new pictures looked at).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PICTURES, ROOT, pictureSvg, withReadmeSection } from '../../../scripts/readme-graphs.js';
import { loadExample } from './support.js';

const RERUN =
  'the committed picture differs from what the code draws: run `npm run readme-graphs`, look at it';

describe('README pictures', () => {
  it.each(PICTURES.map((p) => [p.image, p] as const))('%s is up to date', async (_image, p) => {
    const committed = readFileSync(join(ROOT, p.image), 'utf8');
    expect(committed === (await pictureSvg(p)), RERUN).toBe(true);
  });

  it('the README section shows every picture, as the script writes it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme === withReadmeSection(readme), RERUN).toBe(true);
    for (const p of PICTURES) expect(readme).toContain(`](${p.image})`);
  });

  it('has one picture per pattern family and no stale picture files', () => {
    const families = PICTURES.map((p) => {
      const d = loadExample(p.inventory).loadBalancers[0]!.deployment;
      return d.pattern === 'distributed'
        ? `distributed ${d.version === '4.x' ? '4.x' : '2.6/3.x'}`
        : d.pattern;
    });
    expect(families.sort()).toEqual([
      'active-active',
      'distributed 2.6/3.x',
      'distributed 4.x',
      'single-node',
    ]);
    const images = readdirSync(join(ROOT, 'docs', 'images')).filter((f) => f.startsWith('graph-'));
    expect(images.sort()).toEqual(PICTURES.map((p) => p.image.replace('docs/images/', '')).sort());
  });
});
