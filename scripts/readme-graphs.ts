/**
 * The README's pictures, one per pattern family, drawn by `apim-provision graph` from the example
 * inventories: `npm run readme-graphs` writes docs/images/graph-*.svg and the README section between
 * the markers below. test/unit/graph/readme-pictures.test.ts fails when the committed files differ
 * from what this script makes, so the pictures cannot drift from the inventories or the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { offlineGraph } from '../src/cli/commands/graph.js';
import { EXPECTED_NGINX } from '../src/patterns/index.js';
import { toSvg } from '../src/graph/index.js';
import { loadInventory } from '../src/inventory/load-inventory.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const README_START =
  '<!-- readme-graphs: made by `npm run readme-graphs` from inventories/; edit the script, not this -->';
export const README_END = '<!-- /readme-graphs -->';

interface Picture {
  family: string;
  /** Relative to the repository root; also the picture's title. */
  inventory: string;
  image: string;
}

export const PICTURES: readonly Picture[] = [
  {
    family: 'Single node',
    inventory: 'inventories/single-node.yml',
    image: 'docs/images/graph-single-node.svg',
  },
  {
    family: 'Active-active',
    inventory: 'inventories/active-active.yml',
    image: 'docs/images/graph-active-active.svg',
  },
  {
    family: 'Distributed, API-M 2.6 to 3.x layout',
    inventory: 'inventories/distributed-2.6.yml',
    image: 'docs/images/graph-distributed-2.6.svg',
  },
  {
    family: 'Distributed, API-M 4.x layout',
    inventory: 'inventories/distributed-4x.yml',
    image: 'docs/images/graph-distributed-4x.svg',
  },
];

/** The SVG of one picture, exactly as `apim-provision graph <inventory>` prints it. */
export async function pictureSvg(p: Picture): Promise<string> {
  const { inventory, diagnostics } = loadInventory(join(ROOT, p.inventory), { secrets: 'ignore' });
  if (!inventory) throw new Error(`${p.inventory}: ${diagnostics.map((d) => d.message).join('; ')}`);
  return toSvg(offlineGraph(p.inventory, inventory.loadBalancers, EXPECTED_NGINX.distro).graph);
}

/** The README between the markers: a heading and the image per family. */
export function readmeSection(): string {
  const parts = PICTURES.map(
    (p) =>
      `**${p.family}** ([\`${p.inventory}\`](${p.inventory}))\n\n![${p.family}: ${p.inventory}](${p.image})`,
  );
  return `${README_START}\n\n${parts.join('\n\n')}\n\n${README_END}`;
}

/** README.md with its generated section replaced; throws when the markers are missing. */
export function withReadmeSection(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} ... ${README_END} section`);
  return readme.slice(0, start) + readmeSection() + readme.slice(end + README_END.length);
}

async function main(): Promise<void> {
  for (const p of PICTURES) {
    writeFileSync(join(ROOT, p.image), await pictureSvg(p));
    console.log(`wrote ${p.image}`);
  }
  const readme = join(ROOT, 'README.md');
  writeFileSync(readme, withReadmeSection(readFileSync(readme, 'utf8')));
  console.log('updated README.md');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
