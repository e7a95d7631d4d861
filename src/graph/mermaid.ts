import {
  changeLines,
  graphSubtitle,
  listenerLabel,
  listenerPort,
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
import type { DeploymentGraph, LoadBalancerView, PoolMethod } from './model.js';
import {
  HOSTNAME_COLOURS,
  LOAD_BALANCER_COLOURS,
  METHOD_COLOURS,
  NEW_POOL_STROKE,
  NODE_COLOURS,
  OUTCOME_COLOURS,
  ROLE_GROUP_COLOURS,
  type Colours,
} from './palette.js';

/** Text inside a quoted Mermaid label: entity codes for what would end the label or start a tag. */
function esc(text: string): string {
  return text.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** A quoted label of lines; the first (the name) and any line wrapped in `bold()` in bold. */
function label(lines: (string | Bold)[], boldFirst = true): string {
  const html = lines.map((l, i) =>
    typeof l !== 'string' || (boldFirst && i === 0)
      ? `<b>${esc(typeof l === 'string' ? l : l.bold)}</b>`
      : esc(l),
  );
  return `"${html.join('<br/>')}"`;
}

interface Bold {
  bold: string;
}

const bold = (text: string): Bold => ({ bold: text });

function colourStyle(c: Colours, extra = ''): string {
  return `fill:${c.fill},stroke:${c.stroke}${extra}`;
}

const METHOD_CLASS: Record<PoolMethod, string> = {
  'sticky-plus': 'stickyPool',
  'sticky-community': 'stickyPool',
  'ip-hash-fallback': 'ipHashPool',
  failover: 'failoverPool',
  'round-robin': 'roundRobinPool',
  'single-node': 'roundRobinPool',
};

function loadBalancerBlock(g: DeploymentGraph, lb: LoadBalancerView, i: number): string[] {
  const lines: (string | Bold)[] = [`${lb.name} ${lb.address}`, ...loadBalancerLines(lb)];
  if (lb.changes) lines.push(...wrapText(outcomeLabel(lb.changes, g)).map(bold), ...changeLines(lb.changes));
  return [
    `  subgraph lb${i}[${label(lines)}]`,
    ...lb.pools.map((p) => {
      const text = [
        p.upstream,
        poolSubtitle(p),
        bold(methodLabel(p.method)),
        methodReason(p.method, lb),
        ...(p.isNew ? [bold('new')] : []),
        ...p.members.map((m) => `${m.node} ${memberAddress(m)}`),
      ];
      return `    lb${i}_${p.upstream}[${label(text)}]:::${METHOD_CLASS[p.method]}`;
    }),
    '  end',
  ];
}

/** Mermaid flowchart text of the picture, for Markdown. */
export function toMermaid(g: DeploymentGraph): string {
  const hostId = new Map(g.entrypoints.map((e, i) => [e.hostname, `host${i}`]));
  const nodeId = new Map(g.roleGroups.flatMap((r) => r.nodes).map((n, i) => [n.name, `node${i}`]));
  const out: string[] = [
    '---',
    `title: ${JSON.stringify(g.title)}`,
    '---',
    'flowchart LR',
    `  %% ${graphSubtitle(g)}`,
  ];
  for (const e of g.entrypoints) {
    out.push(
      `  ${hostId.get(e.hostname)}[${label([e.hostname, ...e.listeners.map(listenerLabel)])}]:::hostname`,
    );
  }
  g.loadBalancers.forEach((lb, i) => out.push(...loadBalancerBlock(g, lb, i)));
  for (const { role, nodes } of g.roleGroups) {
    out.push(`  subgraph role_${role}[${label([roleGroupLabel(role)])}]`);
    for (const n of nodes)
      out.push(`    ${nodeId.get(n.name)}[${label([n.name, ...nodeLines(n)])}]:::apimNode`);
    out.push('  end');
  }
  g.loadBalancers.forEach((lb, i) => {
    for (const r of lb.routes) {
      const l = g.entrypoints
        .find((e) => e.hostname === r.hostname)
        ?.listeners.find((x) => x.port === r.port);
      const port = l ? listenerPort(l) : `:${r.port}`;
      const text = r.path ? `${port} ${r.path}` : port;
      out.push(`  ${hostId.get(r.hostname)} -->|${label([text], false)}| lb${i}_${r.upstream}`);
    }
    for (const p of lb.pools) {
      for (const m of p.members) {
        const arrow = m.backup ? `-.->|${label(['backup'], false)}|` : '-->';
        out.push(`  lb${i}_${p.upstream} ${arrow} ${nodeId.get(m.node)}`);
      }
    }
  });
  out.push(
    `  classDef hostname ${colourStyle(HOSTNAME_COLOURS)}`,
    `  classDef apimNode ${colourStyle(NODE_COLOURS)}`,
    `  classDef stickyPool ${colourStyle(METHOD_COLOURS['sticky-plus'])}`,
    `  classDef ipHashPool ${colourStyle(METHOD_COLOURS['ip-hash-fallback'])}`,
    `  classDef failoverPool ${colourStyle(METHOD_COLOURS.failover)}`,
    `  classDef roundRobinPool ${colourStyle(METHOD_COLOURS['round-robin'])}`,
  );
  g.loadBalancers.forEach((lb, i) => {
    const frame = lb.changes ? OUTCOME_COLOURS[lb.changes.outcome] : undefined;
    const width = frame?.thick ? ',stroke-width:3px' : '';
    const dash = frame?.dashed ? ',stroke-dasharray:6 4' : '';
    out.push(`  style lb${i} ${colourStyle(frame ?? LOAD_BALANCER_COLOURS, width + dash)}`);
    for (const p of lb.pools.filter((x) => x.isNew)) {
      out.push(`  style lb${i}_${p.upstream} stroke:${NEW_POOL_STROKE},stroke-width:2px`);
    }
  });
  for (const { role } of g.roleGroups) out.push(`  style role_${role} ${colourStyle(ROLE_GROUP_COLOURS)}`);
  return `${out.join('\n')}\n`;
}
