import type { ScaleRow, Scenario } from './measurements.js';
import type { TargetResult, Verdict } from './summary.js';

/** The controller's cost per simulated host in one run (bench/scale/run.ts). */
export interface ScalePoint {
  size: number;
  scenario: Scenario;
  forks: number;
  wallS: number;
  /** Controller user + sys CPU over the hosts. */
  cpuPerHostMs: number;
  peakRssMb: number;
  rssPerHostMb: number;
  simCpuS: number;
  roundTripsPerHost: number;
}

export function scalePoints(rows: ScaleRow[]): ScalePoint[] {
  return rows.map((r) => ({
    size: r.size,
    scenario: r.scenario,
    forks: r.forks,
    wallS: r.wallS,
    cpuPerHostMs: ((r.userS + r.sysS) * 1000) / r.size,
    peakRssMb: r.maxRssKb / 1024,
    rssPerHostMb: r.maxRssKb / 1024 / r.size,
    simCpuS: r.simCpuS,
    roundTripsPerHost: r.roundTripsPerHost,
  }));
}

/** Issue 15's simulated-controller targets, judged at this size, growth against this one. */
export const SCALE_TARGET_SIZE = 5000;
export const SCALE_BASE_SIZE = 1000;
/** Linear growth keeps the per-host cost flat (it falls as fixed start-up costs spread); 10 % is noise. */
export const LINEAR_TOLERANCE = 1.1;

export function scaleTargets(rows: ScaleRow[]): TargetResult[] {
  const points = scalePoints(rows);
  const at = (size: number) => points.filter((p) => p.size === size);
  const large = at(SCALE_TARGET_SIZE);
  const base = at(SCALE_BASE_SIZE);
  const limit = (
    target: string,
    value: (p: ScalePoint) => number,
    max: number,
    unit: string,
  ): TargetResult => {
    if (large.length === 0)
      return { target, measured: `no N=${SCALE_TARGET_SIZE} run`, verdict: 'not measured' };
    const verdict: Verdict = large.every((p) => value(p) <= max) ? 'met' : 'missed';
    return {
      target,
      measured: large.map((p) => `${p.scenario} ${value(p).toFixed(2)} ${unit}`).join('; '),
      verdict,
    };
  };
  const growth = (): TargetResult => {
    const target = `growing linearly: per-host CPU and memory at N=${SCALE_TARGET_SIZE} at most ${LINEAR_TOLERANCE}x those at N=${SCALE_BASE_SIZE}`;
    const pairs = large.flatMap((p) => {
      const b = base.find((x) => x.scenario === p.scenario);
      return b ? [{ p, b }] : [];
    });
    if (pairs.length === 0)
      return {
        target,
        measured: `no N=${SCALE_BASE_SIZE} and N=${SCALE_TARGET_SIZE} runs`,
        verdict: 'not measured',
      };
    const factors = pairs.flatMap(({ p, b }) => [
      p.cpuPerHostMs / b.cpuPerHostMs,
      p.rssPerHostMb / b.rssPerHostMb,
    ]);
    return {
      target,
      measured: pairs
        .map(
          ({ p, b }) =>
            `${p.scenario} CPU ${(p.cpuPerHostMs / b.cpuPerHostMs).toFixed(2)}x, memory ${(p.rssPerHostMb / b.rssPerHostMb).toFixed(2)}x`,
        )
        .join('; '),
      verdict: factors.every((f) => f <= LINEAR_TOLERANCE) ? 'met' : 'missed',
    };
  };
  return [
    limit(
      `controller at N=${SCALE_TARGET_SIZE} simulated hosts: at most 5 ms CPU per host`,
      (p) => p.cpuPerHostMs,
      5,
      'ms',
    ),
    limit(
      `controller at N=${SCALE_TARGET_SIZE} simulated hosts: at most 0.5 MB memory per host`,
      (p) => p.rssPerHostMb,
      0.5,
      'MB',
    ),
    growth(),
  ];
}
