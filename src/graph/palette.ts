import type { HostOutcome, PoolMethod } from './model.js';

/* Colour is only an extra cue: every colour below goes with words that say the same thing. */

export interface Colours {
  fill: string;
  stroke: string;
}

export const FONT = 'Helvetica';
/** Secondary text (reasons, addresses). */
export const MUTED = '#4b5563';

const NEUTRAL: Colours = { fill: '#f3f4f6', stroke: '#4b5563' };

export const METHOD_COLOURS: Record<PoolMethod, Colours> = {
  'sticky-plus': { fill: '#dbeafe', stroke: '#1d4ed8' },
  'sticky-community': { fill: '#dbeafe', stroke: '#1d4ed8' },
  'ip-hash-fallback': { fill: '#fef3c7', stroke: '#b45309' },
  failover: { fill: '#ede9fe', stroke: '#6d28d9' },
  'round-robin': NEUTRAL,
  'single-node': NEUTRAL,
};

export const HOSTNAME_COLOURS: Colours = { fill: '#ffffff', stroke: '#374151' };
export const NODE_COLOURS: Colours = { fill: '#dcfce7', stroke: '#15803d' };
export const LOAD_BALANCER_COLOURS: Colours = { fill: '#f9fafb', stroke: '#6b7280' };
export const ROLE_GROUP_COLOURS: Colours = { fill: '#ffffff', stroke: '#9ca3af' };

/** A load balancer's frame after a run: thick and coloured when something (would) change or failed. */
export const OUTCOME_COLOURS: Record<HostOutcome, Colours & { thick: boolean; dashed: boolean }> = {
  changes: { fill: '#fff7ed', stroke: '#c2410c', thick: true, dashed: false },
  unchanged: { ...LOAD_BALANCER_COLOURS, thick: false, dashed: false },
  failed: { fill: '#fef2f2', stroke: '#b91c1c', thick: true, dashed: false },
  unreachable: { fill: '#fef2f2', stroke: '#b91c1c', thick: true, dashed: true },
  'not-started': { ...LOAD_BALANCER_COLOURS, thick: false, dashed: true },
  'not-in-run': { ...LOAD_BALANCER_COLOURS, thick: false, dashed: true },
};

/** Pools of a configuration file the run creates. */
export const NEW_POOL_STROKE = '#c2410c';
