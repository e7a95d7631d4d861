import {
  answersOnly,
  areaLabel,
  graphSubtitle,
  listenerLabel,
  loadBalancerLines,
  memberAddress,
  methodLabel,
  methodReason,
  nodeLines,
  outcomeLabel,
  poolSubtitle,
  roleGroupLabel,
  wrapText,
} from './labels.js';
import type { DeploymentGraph, HostChanges, LoadBalancerView, PoolView } from './model.js';
import {
  FONT,
  HOSTNAME_COLOURS,
  LOAD_BALANCER_COLOURS,
  METHOD_COLOURS,
  MUTED,
  NEW_POOL_STROKE,
  NODE_COLOURS,
  OUTCOME_COLOURS,
  ROLE_GROUP_COLOURS,
  type Colours,
} from './palette.js';

/** Text inside Graphviz HTML-like labels. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function row(content: string, attrs = ''): string {
  return `<tr><td align="left" balign="left"${attrs}>${content}</td></tr>`;
}

function muted(text: string): string {
  return `<font color="${MUTED}">${esc(text)}</font>`;
}

/** A boxed table: the shape of every node in the picture. */
function box(colours: Colours, rows: string[], rounded = true): string {
  const style = rounded ? ' style="rounded"' : '';
  return `<<table border="1" cellborder="0" cellspacing="0" cellpadding="4" color="${colours.stroke}" bgcolor="${colours.fill}"${style}>${rows.join('')}</table>>`;
}

/** Stable ids: by position, so host names with odd characters never need quoting rules. */
interface Ids {
  hostname: Map<string, string>;
  node: Map<string, string>;
  pool: (lb: number, upstream: string) => string;
}

function idsOf(g: DeploymentGraph): Ids {
  return {
    hostname: new Map(g.entrypoints.map((e, i) => [e.hostname, `host${i}`])),
    node: new Map(g.roleGroups.flatMap((r) => r.nodes).map((n, i) => [n.name, `node${i}`])),
    pool: (lb, upstream) => `lb${lb}_${upstream}`,
  };
}

function hostnameNodes(g: DeploymentGraph, ids: Ids): string[] {
  return g.entrypoints.map((e) => {
    const rows = [
      row(`<b>${esc(e.hostname)}</b>`),
      '<hr/>',
      ...e.listeners.map((l) =>
        row(answersOnly(l) ? muted(listenerLabel(l)) : esc(listenerLabel(l)), ` port="l${l.port}"`),
      ),
    ];
    return `  ${ids.hostname.get(e.hostname)} [label=${box(HOSTNAME_COLOURS, rows, false)}];`;
  });
}

function poolNode(lb: LoadBalancerView, p: PoolView, id: string): string {
  const colours = METHOD_COLOURS[p.method];
  const rows = [
    row(`<b>${esc(p.upstream)}</b>`, ' colspan="2"'),
    row(muted(poolSubtitle(p)), ' colspan="2"'),
    row(`<b>${esc(methodLabel(p.method))}</b>`, ' colspan="2"'),
    row(muted(methodReason(p.method, lb)), ' colspan="2"'),
    ...(p.isNew ? [row(`<b><font color="${NEW_POOL_STROKE}">new</font></b>`, ' colspan="2"')] : []),
    '<hr/>',
    ...p.members.map(
      (m, i) =>
        `<tr><td align="left">${esc(m.node)}</td><td align="left" port="m${i}">${esc(memberAddress(m))}</td></tr>`,
    ),
  ];
  return `    ${id} [label=${box(p.isNew ? { ...colours, stroke: NEW_POOL_STROKE } : colours, rows)}];`;
}

function graphLabel(g: DeploymentGraph): string {
  const rows = [row(`<b><font point-size="14">${esc(g.title)}</font></b>`), row(muted(graphSubtitle(g)))];
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">${rows.join('')}</table>>`;
}

/** The changes of a run, one line each, the part they belong to named once on its left. */
function changeTable(c: HostChanges): string {
  const rows = c.areas.flatMap((a) =>
    a.lines.map(
      (line, i) =>
        `<tr><td align="left">${i === 0 ? `<b>${esc(areaLabel(a.area))}</b>` : ''}</td><td align="left">${esc(line)}</td></tr>`,
    ),
  );
  return `<table border="0" cellborder="0" cellspacing="0" cellpadding="1">${rows.join('')}</table>`;
}

function clusterLabel(g: DeploymentGraph, lb: LoadBalancerView): string {
  const rows = [
    row(`<b>${esc(lb.name)}</b>  ${muted(lb.address)}`),
    ...loadBalancerLines(lb).map((l) => row(esc(l))),
  ];
  if (lb.changes) {
    const stroke = OUTCOME_COLOURS[lb.changes.outcome].stroke;
    const outcome = wrapText(outcomeLabel(lb.changes, g)).map(esc).join('<br align="left"/>');
    rows.push(row(`<b><font color="${stroke}">${outcome}</font></b>`));
    if (lb.changes.areas.length > 0) rows.push(row(changeTable(lb.changes)));
  }
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">${rows.join('')}</table>>`;
}

function loadBalancerCluster(g: DeploymentGraph, lb: LoadBalancerView, index: number, ids: Ids): string[] {
  const frame = lb.changes ? OUTCOME_COLOURS[lb.changes.outcome] : undefined;
  const colours = frame ?? LOAD_BALANCER_COLOURS;
  const style = ['rounded', 'filled', ...(frame?.dashed ? ['dashed'] : [])].join(',');
  // Graphviz packs sibling clusters edge to edge: an invisible frame with a margin keeps them apart.
  return [
    `  subgraph cluster_lb${index}_space {`,
    '    style=invis; margin=10; label="";',
    `    subgraph cluster_lb${index} {`,
    `      label=${clusterLabel(g, lb)};`,
    `      style="${style}"; fillcolor="${colours.fill}"; color="${colours.stroke}"; penwidth=${frame?.thick ? 3 : 1};`,
    ...lb.pools.map((p) => `  ${poolNode(lb, p, ids.pool(index, p.upstream))}`),
    '    }',
    '  }',
  ];
}

function roleClusters(g: DeploymentGraph, ids: Ids): string[] {
  return g.roleGroups.flatMap(({ role, nodes }) => [
    `  subgraph cluster_role_${role} {`,
    `    label=<<b>${esc(roleGroupLabel(role))}</b>>;`,
    `    style="rounded"; color="${ROLE_GROUP_COLOURS.stroke}"; bgcolor="${ROLE_GROUP_COLOURS.fill}";`,
    ...nodes.map((n) => {
      const rows = [row(`<b>${esc(n.name)}</b>`), ...nodeLines(n).map((l) => row(esc(l)))];
      return `    ${ids.node.get(n.name)} [label=${box(NODE_COLOURS, rows)}];`;
    }),
    '  }',
  ]);
}

function edges(g: DeploymentGraph, ids: Ids): string[] {
  return g.loadBalancers.flatMap((lb, index) => [
    ...lb.routes.map((r) => {
      // A quoted DOT string: JSON's escaping of quotes and backslashes is the same.
      const label = r.path ? ` [label=${JSON.stringify(r.path)}]` : '';
      return `  ${ids.hostname.get(r.hostname)}:l${r.port}:e -> ${ids.pool(index, r.upstream)}:w${label};`;
    }),
    ...lb.pools.flatMap((p) =>
      p.members.map((m, i) => {
        const style = m.backup ? ', style=dashed' : '';
        return `  ${ids.pool(index, p.upstream)}:m${i}:e -> ${ids.node.get(m.node)}:w [color="${METHOD_COLOURS[p.method].stroke}"${style}];`;
      }),
    ),
  ]);
}

/** Graphviz DOT text of the picture: what the SVG is laid out from, and an output of its own. */
export function toDot(g: DeploymentGraph): string {
  const ids = idsOf(g);
  return [
    'digraph "apim-deployment" {',
    `  graph [rankdir=LR, fontname="${FONT}", fontsize=12, labelloc=t, labeljust=l, label=${graphLabel(g)}, nodesep=0.25, ranksep=0.55, pad=0.2, bgcolor="white"];`,
    `  node [shape=plain, fontname="${FONT}", fontsize=11];`,
    `  edge [color="#6b7280", arrowsize=0.6, penwidth=1.2, fontname="${FONT}", fontsize=9, fontcolor="${MUTED}"];`,
    '',
    '  // public hostnames and their ports',
    ...hostnameNodes(g, ids),
    '',
    '  // load balancers and their upstream pools',
    ...g.loadBalancers.flatMap((lb, i) => loadBalancerCluster(g, lb, i, ids)),
    '',
    '  // API-M nodes by role group',
    ...roleClusters(g, ids),
    '',
    ...edges(g, ids),
    '}',
    '',
  ].join('\n');
}
