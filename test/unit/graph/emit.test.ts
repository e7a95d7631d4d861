/**
 * The three formats drawn from the model. Mermaid and DOT text are golden files
 * (`UPDATE_GOLDEN=1 npx vitest run test/unit/graph/emit.test.ts` rewrites them: read the diff
 * before keeping it); the SVG of every example inventory is parsed as XML and must show every
 * hostname, load balancer, node and balancing method.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  layoutSvg,
  renderGraph,
  toDot,
  toMermaid,
  toSvg,
  withRunChanges,
  type DeploymentGraph,
} from '../../../src/graph/index.js';
import { methodLabel } from '../../../src/graph/labels.js';
import { firstInstall, summary, unreachable } from './run-fixtures.js';
import { EXAMPLE_INVENTORIES, exampleGraph, keep, mapNodes, nodesOf, svgTexts } from './support.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const GOLDEN_CASES: Record<string, () => DeploymentGraph> = {
  'single-node': () => exampleGraph('inventories/single-node.yml'),
  'active-active': () => exampleGraph('inventories/active-active.yml', '1.30.0'),
  'distributed-2.6': () => exampleGraph('inventories/distributed-2.6.yml'),
  'distributed-4x': () => exampleGraph('inventories/distributed-4x.yml'),
  'ha-gateway-passthrough': () => exampleGraph('inventories/ha-gateway.yml'),
  'two-lbs-check-run': () =>
    withRunChanges(
      exampleGraph('inventories/with-group-vars/inventory.yml'),
      summary(true, [firstInstall('lb1'), unreachable('lb2')]),
      keep,
    ),
};

function expectGolden(file: string, text: string): void {
  const path = join(GOLDEN, file);
  if (UPDATE) writeFileSync(path, text);
  if (!existsSync(path)) throw new Error(`${path} is missing: run with UPDATE_GOLDEN=1 to create it`);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('Mermaid and DOT text (golden)', () => {
  it.each(Object.keys(GOLDEN_CASES))('%s', (name) => {
    const graph = GOLDEN_CASES[name]!();
    expectGolden(`${name}.mmd`, toMermaid(graph));
    expectGolden(`${name}.dot`, toDot(graph));
  });

  it('has no stale golden files', () => {
    const expected = new Set(Object.keys(GOLDEN_CASES).flatMap((n) => [`${n}.mmd`, `${n}.dot`]));
    expect(readdirSync(GOLDEN).filter((f) => !expected.has(f))).toEqual([]);
  });
});

describe('SVG of every example inventory', () => {
  it.each(EXAMPLE_INVENTORIES)(
    '%s: well-formed, every hostname, load balancer, node and method',
    async (path) => {
      const graph = exampleGraph(path);
      const { svg, warnings } = await layoutSvg(toDot(graph));
      expect(warnings).toEqual([]);
      const texts = svgTexts(svg);
      const shown = (text: string) => texts.some((t) => t.includes(text));
      expect(graph.entrypoints.length).toBeGreaterThan(0);
      for (const e of graph.entrypoints) expect(shown(e.hostname), e.hostname).toBe(true);
      for (const lb of graph.loadBalancers) {
        expect(texts, lb.name).toContain(lb.name);
        for (const p of lb.pools) {
          expect(texts, p.upstream).toContain(p.upstream);
          expect(texts, `${p.upstream} method`).toContain(methodLabel(p.method));
        }
      }
      for (const n of nodesOf(graph)) expect(texts, n.name).toContain(n.name);
      expect(svg).toBe(await renderGraph(graph, 'svg'));
    },
  );

  it('shows the highlights of a run: outcome, changes, unreachable hosts, new pools', async () => {
    const { svg, warnings } = await layoutSvg(toDot(GOLDEN_CASES['two-lbs-check-run']!()));
    expect(warnings).toEqual([]);
    const texts = svgTexts(svg);
    expect(texts).toContain('WOULD CHANGE');
    expect(texts).toContain('configuration');
    expect(texts).toContain('create /etc/nginx/conf.d/apim.conf');
    expect(texts).toContain('lb2');
    expect(texts).toContain('UNREACHABLE: connect ECONNREFUSED 127.0.0.1:1');
    expect(texts.filter((t) => t === 'new')).toHaveLength(4);
    expect(texts.some((t) => t.includes('apply --check would change'))).toBe(true);
  });
});

describe('what the formats carry', () => {
  it('escapes text for XML and Mermaid labels', async () => {
    const graph = { ...exampleGraph('inventories/single-node.yml'), title: 'a <b>&"c"</b> & more' };
    const texts = svgTexts(await toSvg(graph));
    expect(texts).toContain('a <b>&"c"</b> & more');
    expect(toDot(graph)).toContain('a &lt;b&gt;&amp;&quot;c&quot;&lt;/b&gt; &amp; more');
    // Front matter takes a YAML string: quotes and backslashes escaped, JSON style.
    expect(toMermaid(graph)).toContain('title: "a <b>&\\"c\\"</b> & more"');
  });

  it('escapes labels in Mermaid with entity codes', () => {
    const graph = exampleGraph('inventories/active-active.yml', '1.30.0');
    const text = toMermaid(graph);
    expect(text).toContain('sticky: Community #gt;= 1.29.6');
    const withQuote = mapNodes(graph, (n) => ({ ...n, address: 'a"b<c>' }));
    expect(toMermaid(withQuote)).toContain('a#quot;b#lt;c#gt;');
  });

  it("shows a node's configured public hostname and proxy port when node configuration provides them", async () => {
    // The example's node has ansible_host: the node play configures it.
    const configured = exampleGraph('inventories/single-node.yml');
    const line = 'configured: api.am.wso2.com, proxyPort 443';
    expect(svgTexts(await toSvg(configured))).toContain(line);
    expect(toMermaid(configured)).toContain(line);
    const alone = mapNodes(configured, ({ configured: _, ...n }) => n);
    expect(toMermaid(alone)).not.toContain('configured:');
  });

  it('says when the nginx version was read from the host rather than assumed', () => {
    const graph = exampleGraph('inventories/single-node.yml');
    expect(toDot(graph)).toContain('nginx 1.22.1 (assumed, not read from the host)');
    const known = {
      ...graph,
      loadBalancers: graph.loadBalancers.map((lb) => ({
        ...lb,
        edition: { ...lb.edition, versionKnown: true },
      })),
    };
    expect(toDot(known)).not.toContain('assumed');
  });
});
