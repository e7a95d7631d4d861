import { extname } from 'node:path';
import { toDot } from './dot.js';
import { toMermaid } from './mermaid.js';
import type { DeploymentGraph } from './model.js';
import { toSvg } from './svg.js';

export type GraphFormat = 'svg' | 'mermaid' | 'dot';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['svg', 'mermaid', 'dot'];

const EXTENSIONS: Record<string, GraphFormat> = {
  '.svg': 'svg',
  '.mmd': 'mermaid',
  '.mermaid': 'mermaid',
  '.dot': 'dot',
  '.gv': 'dot',
};

/** The format a file name asks for (`.svg`, `.mmd`/`.mermaid`, `.dot`/`.gv`), if any. */
export function formatOfFile(file: string): GraphFormat | undefined {
  return EXTENSIONS[extname(file).toLowerCase()];
}

export const GRAPH_FILE_EXTENSIONS = Object.keys(EXTENSIONS);

export async function renderGraph(g: DeploymentGraph, format: GraphFormat): Promise<string> {
  switch (format) {
    case 'svg':
      return toSvg(g);
    case 'mermaid':
      return toMermaid(g);
    case 'dot':
      return toDot(g);
  }
}
