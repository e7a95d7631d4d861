import type { Viz } from '@viz-js/viz';
import { toDot } from './dot.js';
import type { DeploymentGraph } from './model.js';

/**
 * Graphviz compiled to WebAssembly: the same layout on every machine, no system package needed.
 * Loaded on first use (1.2 MB of JavaScript), so commands that draw nothing do not pay for it.
 */
let viz: Promise<Viz> | undefined;

export interface LaidOut {
  svg: string;
  /** Graphviz's warnings: the DOT is ours, so a warning is a bug of this layer (the tests want none). */
  warnings: string[];
}

/** Lays DOT text out with Graphviz `dot` and returns the SVG. */
export async function layoutSvg(dot: string): Promise<LaidOut> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  const messages = result.errors.map((e) => e.message.trim());
  if (result.status === 'failure')
    throw new Error(`Graphviz could not lay out the picture: ${messages.join('; ')}`);
  return { svg: result.output, warnings: messages };
}

/** The picture as SVG, laid out from its DOT text. */
export async function toSvg(g: DeploymentGraph): Promise<string> {
  return (await layoutSvg(toDot(g))).svg;
}
