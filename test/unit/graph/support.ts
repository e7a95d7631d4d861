import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { offlineGraph } from '../../../src/cli/commands/graph.js';
import type { Inventory } from '../../../src/domain/types.js';
import type { ApimNodeView, DeploymentGraph } from '../../../src/graph/index.js';
import { errorsOf } from '../../../src/input/diagnostics.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Every example inventory: inventories/*.yml and inventories/<example>/inventory.yml, repo-relative. */
export const EXAMPLE_INVENTORIES: string[] = readdirSync(join(ROOT, 'inventories'), { withFileTypes: true })
  .map((e) => (e.isDirectory() ? join('inventories', e.name, 'inventory.yml') : join('inventories', e.name)))
  .filter((p) => p.endsWith('.yml') && existsSync(join(ROOT, p)))
  .sort();

export function loadExample(path: string): Inventory {
  const { inventory, diagnostics } = loadInventory(join(ROOT, path), { secrets: 'ignore' });
  if (!inventory || errorsOf(diagnostics).length > 0) {
    throw new Error(`${path}: ${diagnostics.map((d) => d.message).join('; ')}`);
  }
  return inventory;
}

/** The offline picture of an example inventory, titled with its repo-relative path. */
export function exampleGraph(path: string, nginxVersion = '1.22.1') {
  const inventory = loadExample(path);
  return offlineGraph(
    relative(ROOT, join(ROOT, path)),
    inventory.loadBalancers,
    nginxVersion,
    inventory.apimNodes,
  ).graph;
}

/** The visible texts (`<text>` elements) of a well-formed SVG; throws with the parser's error otherwise. */
export function svgTexts(svg: string): string[] {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`SVG is not well-formed XML: ${JSON.stringify(valid.err)}`);
  const doc: unknown = new XMLParser({
    ignoreAttributes: true,
    preserveOrder: true,
    htmlEntities: true,
  }).parse(svg);
  const texts: string[] = [];
  const walk = (node: unknown, inText: boolean): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, inText));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '#text' && inText) texts.push(String(value));
        else walk(value, inText || key === 'text');
      }
    }
  };
  walk(doc, false);
  return texts;
}

/** Every API-M node of a picture, whatever its role group. */
export function nodesOf(g: DeploymentGraph): ApimNodeView[] {
  return g.roleGroups.flatMap((r) => r.nodes);
}

/** The same picture with every API-M node changed by `f`. */
export function mapNodes(g: DeploymentGraph, f: (n: ApimNodeView) => ApimNodeView): DeploymentGraph {
  return { ...g, roleGroups: g.roleGroups.map((r) => ({ ...r, nodes: r.nodes.map(f) })) };
}

/** A run's text drawn as it is (the runs of these tests hold no secrets). */
export const keep = (text: string): string => text;
