import type { AnsibleRoundTrips, Measurement, Scenario, Tool } from './measurements.js';

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The medians of one tool in one scenario at one size. */
export interface ToolFigures {
  runs: number;
  wallS: number;
  /** Largest peak RSS over the runs (the figure a memory target is about). */
  maxRssMb: number;
  controllerCpuPerHostS: number;
  targetCpuPerHostS: number | undefined;
  /**
   * Median CPU seconds of the whole run, controller and hosts together (undefined without host CPU):
   * with the hosts on the controller's cores, wall time cannot go below this over the CPU count.
   */
  totalCpuS: number | undefined;
  roundTripsPerHost: number | undefined;
  changed: number | undefined;
}

export interface Comparison {
  size: number;
  scenario: Scenario;
  ours: ToolFigures | undefined;
  ansible: ToolFigures | undefined;
  /** The least remote work of the scenario, by plain OpenSSH (bench/floor.sh). */
  floor: ToolFigures | undefined;
  /** Ansible's median wall time over apim-provision's: above 1 means apim-provision is faster. */
  ratio: number | undefined;
  /** apim-provision's median wall time over the floor's: 1 would be the least work possible. */
  oursOverFloor: number | undefined;
  ansibleOverFloor: number | undefined;
}

function figures(
  runs: Measurement[],
  size: number,
  ansibleRoundTrips: number | undefined,
): ToolFigures | undefined {
  if (runs.length === 0) return undefined;
  const targetCpu = runs.map((r) => r.targetCpuS).filter((c): c is number => c !== undefined);
  const rt = runs.map((r) => r.roundTripsPerHost).filter((c): c is number => c !== undefined);
  const changed = runs.map((r) => r.changed).filter((c): c is number => c !== undefined);
  return {
    runs: runs.length,
    wallS: median(runs.map((r) => r.wallS)),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssKb)) / 1024,
    controllerCpuPerHostS: median(runs.map((r) => (r.userS + r.sysS) / size)),
    targetCpuPerHostS: targetCpu.length > 0 ? median(targetCpu) / size : undefined,
    totalCpuS:
      targetCpu.length === runs.length
        ? median(runs.map((r) => r.userS + r.sysS + r.targetCpuS!))
        : undefined,
    roundTripsPerHost: rt.length > 0 ? median(rt) : ansibleRoundTrips,
    changed: changed.length > 0 ? median(changed) : undefined,
  };
}

/** Round trips per host do not depend on N: the count of the nearest measured size is used. */
function ansibleRoundTripsFor(counts: AnsibleRoundTrips[], scenario: Scenario, size: number) {
  const candidates = counts.filter((c) => c.scenario === scenario);
  candidates.sort((a, b) => Math.abs(a.size - size) - Math.abs(b.size - size));
  return candidates[0]?.perHost;
}

export function compare(measurements: Measurement[], ansibleRoundTrips: AnsibleRoundTrips[]): Comparison[] {
  const keys = new Map<string, { size: number; scenario: Scenario }>();
  for (const m of measurements) keys.set(`${m.scenario}@${m.size}`, { size: m.size, scenario: m.scenario });
  const order: Scenario[] = ['converge', 'noop', 'check-diff', 'install'];
  return [...keys.values()]
    .sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario) || a.size - b.size)
    .map(({ size, scenario }) => {
      const of = (tool: Tool) =>
        measurements.filter((m) => m.size === size && m.scenario === scenario && m.tool === tool);
      const ours = figures(of('apim-provision'), size, undefined);
      const ansible = figures(of('ansible'), size, ansibleRoundTripsFor(ansibleRoundTrips, scenario, size));
      const floor = figures(of('floor'), size, undefined);
      const over = (a: ToolFigures | undefined, b: ToolFigures | undefined) =>
        a && b ? a.wallS / b.wallS : undefined;
      return {
        size,
        scenario,
        ours,
        ansible,
        floor,
        ratio: over(ansible, ours),
        oursOverFloor: over(ours, floor),
        ansibleOverFloor: over(ansible, floor),
      };
    });
}

export function figuresOf(c: Comparison, tool: Tool): ToolFigures | undefined {
  return tool === 'ansible' ? c.ansible : tool === 'floor' ? c.floor : c.ours;
}

/** How one tool's median wall time grows with N, relative to the smallest size measured. */
export interface Growth {
  scenario: Scenario;
  tool: Tool;
  points: Array<{ size: number; wallS: number; relative: number }>;
}

export function growth(comparisons: Comparison[]): Growth[] {
  const out: Growth[] = [];
  const scenarios = [...new Set(comparisons.map((c) => c.scenario))];
  for (const scenario of scenarios) {
    for (const tool of ['apim-provision', 'ansible', 'floor'] as const) {
      const points = comparisons
        .filter((c) => c.scenario === scenario)
        .map((c) => ({ size: c.size, figures: figuresOf(c, tool) }))
        .filter((p): p is { size: number; figures: ToolFigures } => p.figures !== undefined)
        .sort((a, b) => a.size - b.size);
      const base = points[0]?.figures.wallS;
      if (base === undefined || points.length < 2) continue;
      out.push({
        scenario,
        tool,
        points: points.map((p) => ({
          size: p.size,
          wallS: p.figures.wallS,
          relative: p.figures.wallS / base,
        })),
      });
    }
  }
  return out;
}

export type Verdict = 'met' | 'missed' | 'not measured';

export interface TargetResult {
  target: string;
  measured: string;
  verdict: Verdict;
}

function find(comparisons: Comparison[], scenario: Scenario, size: number) {
  return comparisons.find((c) => c.scenario === scenario && c.size === size);
}

function ratioTarget(
  comparisons: Comparison[],
  scenario: Scenario,
  size: number,
  min: number,
  label: string,
) {
  const c = find(comparisons, scenario, size);
  if (c?.ratio === undefined)
    return { target: label, measured: `no N=${size} run`, verdict: 'not measured' as const };
  return {
    target: label,
    measured: `${c.ratio.toFixed(1)}x (Ansible ${c.ansible!.wallS.toFixed(2)} s, apim-provision ${c.ours!.wallS.toFixed(2)} s)`,
    verdict: c.ratio >= min ? ('met' as const) : ('missed' as const),
  };
}

/**
 * The CPU bound: the shortest wall time the run's CPU work allows on `cpus` CPUs (controller and
 * hosts share them in the bench): a wall time near it means the work ran in parallel and the CPUs
 * were the limit.
 */
export function cpuBoundS(f: ToolFigures, cpus: number | undefined): number | undefined {
  return f.totalCpuS === undefined || !cpus ? undefined : f.totalCpuS / cpus;
}

/** Issue 6's four targets, judged on the medians; `cpus` (nproc) explains the scaling figures. */
export function targets(comparisons: Comparison[], cpus?: number): TargetResult[] {
  const results: TargetResult[] = [
    ratioTarget(comparisons, 'noop', 50, 10, 'no-op re-run at N=50: at least 10x faster than Ansible'),
    ratioTarget(comparisons, 'converge', 50, 5, 'first converge at N=50: at least 5x faster than Ansible'),
  ];
  const scaling: string[] = [];
  const factors: number[] = [];
  for (const scenario of ['converge', 'noop', 'check-diff'] as const) {
    const small = find(comparisons, scenario, 10)?.ours;
    const large = find(comparisons, scenario, 100)?.ours;
    if (!small || !large) continue;
    const factor = large.wallS / small.wallS;
    const bound = cpuBoundS(large, cpus);
    scaling.push(
      `${scenario} ${factor.toFixed(2)}x (${small.wallS.toFixed(2)} s -> ${large.wallS.toFixed(2)} s` +
        (bound === undefined
          ? ')'
          : `; the N=100 run needed ${large.totalCpuS!.toFixed(0)} CPU-s on ${cpus} CPUs: at least ${bound.toFixed(1)} s)`),
    );
    factors.push(factor);
  }
  const scalingVerdict: Verdict =
    factors.length === 0 ? 'not measured' : factors.every((f) => f <= 2) ? 'met' : 'missed';
  results.push({
    target: 'apim-provision wall time at N=100 no more than 2x that at N=10 (every scenario)',
    measured: scaling.length > 0 ? scaling.join('; ') : 'no N=10 and N=100 runs',
    verdict: scalingVerdict,
  });
  const at100 = comparisons.filter((c) => c.size === 100 && c.ours).map((c) => c.ours!.maxRssMb);
  results.push({
    target: 'apim-provision peak memory at N=100 under 200 MB',
    measured:
      at100.length > 0
        ? `${Math.max(...at100).toFixed(0)} MB (largest over every N=100 run)`
        : 'no N=100 run',
    verdict: at100.length === 0 ? 'not measured' : Math.max(...at100) < 200 ? 'met' : 'missed',
  });
  return results;
}

/** The sizes issue 15 judges at. */
export const FLOOR_TARGET_SIZES = [10, 50] as const;

/** One figure of each judged size against a limit: met only when every size was measured and met it. */
function perSizeTarget(
  comparisons: Comparison[],
  target: string,
  scenario: Scenario,
  figure: (c: Comparison) => { value: number; detail: string } | undefined,
  ok: (value: number) => boolean,
): TargetResult {
  const parts: string[] = [];
  let missed = false;
  let unmeasured = false;
  for (const size of FLOOR_TARGET_SIZES) {
    const c = find(comparisons, scenario, size);
    const f = c ? figure(c) : undefined;
    if (!f) {
      unmeasured = true;
      parts.push(`N=${size} not measured`);
      continue;
    }
    missed ||= !ok(f.value);
    parts.push(`N=${size} ${f.value.toFixed(2)}x (${f.detail})`);
  }
  return {
    target,
    measured: parts.join('; '),
    verdict: missed ? 'missed' : unmeasured ? 'not measured' : 'met',
  };
}

const overFloor = (c: Comparison) =>
  c.oursOverFloor === undefined
    ? undefined
    : {
        value: c.oursOverFloor,
        detail: `apim-provision ${c.ours!.wallS.toFixed(2)} s, floor ${c.floor!.wallS.toFixed(2)} s`,
      };

/** Issue 15's targets against the floor and Ansible, on the medians at N=10 and N=50. */
export function floorTargets(comparisons: Comparison[]): TargetResult[] {
  return [
    perSizeTarget(comparisons, 'no-op re-run: at most 1.15x the floor', 'noop', overFloor, (v) => v <= 1.15),
    perSizeTarget(
      comparisons,
      'check+diff: at most 1.2x its floor',
      'check-diff',
      overFloor,
      (v) => v <= 1.2,
    ),
    perSizeTarget(
      comparisons,
      'first converge: at most 1.5x its floor',
      'converge',
      overFloor,
      (v) => v <= 1.5,
    ),
    perSizeTarget(
      comparisons,
      'first converge: at least 8x faster than Ansible',
      'converge',
      (c) =>
        c.ratio === undefined
          ? undefined
          : {
              value: c.ratio,
              detail: `Ansible ${c.ansible!.wallS.toFixed(2)} s, apim-provision ${c.ours!.wallS.toFixed(2)} s`,
            },
      (v) => v >= 8,
    ),
  ];
}
