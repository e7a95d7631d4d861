// bench/report turns bench/run.sh's raw figures into bench/RESULTS.md: the verdicts it writes are
// the benchmark's conclusions, so the arithmetic and the judging are tested here on made-up runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultsMarkdown } from '../../../bench/report/markdown.js';
import {
  type Measurement,
  parseAnsibleRoundTrips,
  parseMeasurements,
  parseMeta,
  readRunDir,
} from '../../../bench/report/measurements.js';
import { compare, cpuFloorS, growth, median, targets } from '../../../bench/report/summary.js';

const HEADER =
  'size\tscenario\ttool\trun\twall_s\tmaxrss_kb\tuser_s\tsys_s\ttarget_cpu_s\trt_per_host\tchanged\texit';

type Row = [number, string, string, number, number, number?, string?];
/** size scenario tool run wall [rssKb] [targetCpu]: the other columns get plausible values. */
function tsv(rows: Row[]): string {
  const lines = rows.map(([size, scenario, tool, run, wall, rss = 100_000, cpu = '1.5']) =>
    [size, scenario, tool, run, wall, rss, '2.0', '0.5', cpu, tool === 'ansible' ? 'NA' : '4.0', 0, 0].join(
      '\t',
    ),
  );
  return [HEADER, ...lines].join('\n') + '\n';
}

/** Every scenario at one size, three runs per tool, with the given median wall times. */
function sizeRows(size: number, ours: Record<string, number>, ansible: Record<string, number>): Row[] {
  const rows: Row[] = [];
  for (const [scenario, wall] of Object.entries(ours))
    for (const run of [1, 2, 3]) rows.push([size, scenario, 'apim-provision', run, wall + (run - 2) * 0.1]);
  for (const [scenario, wall] of Object.entries(ansible))
    for (const run of [1, 2, 3]) rows.push([size, scenario, 'ansible', run, wall + (run - 2)]);
  return rows;
}

describe('parsing bench/run.sh output', () => {
  it('reads results.tsv, with NA as a figure that could not be taken', () => {
    const [m] = parseMeasurements(
      HEADER + '\n50\tnoop\tansible\t2\t117.15\t61180\t33.58\t18.94\tNA\tNA\t0\t0\n',
    );
    expect(m).toEqual<Measurement>({
      size: 50,
      scenario: 'noop',
      tool: 'ansible',
      run: 2,
      wallS: 117.15,
      maxRssKb: 61180,
      userS: 33.58,
      sysS: 18.94,
      targetCpuS: undefined,
      roundTripsPerHost: undefined,
      changed: 0,
    });
  });

  it('refuses an unknown tool or scenario instead of dropping the row', () => {
    expect(() => parseMeasurements(HEADER + '\n10\tnoop\tpuppet\t1\t1\t1\t1\t1\t1\t1\t0\t0\n')).toThrow(
      /unknown tool 'puppet'/,
    );
    expect(() => parseMeasurements(HEADER + '\n10\treboot\tansible\t1\t1\t1\t1\t1\t1\t1\t0\t0\n')).toThrow(
      /unknown scenario 'reboot'/,
    );
  });

  it('reads Ansible round trips and meta.env (values may contain "=")', () => {
    expect(parseAnsibleRoundTrips('size\tscenario\trt_per_host\n10\tconverge\t28.0\n')).toEqual([
      { size: 10, scenario: 'converge', perHost: 28 },
    ]);
    expect(parseMeta('nproc=2\ncommand=bench/run.sh --sizes=10\n\n')).toEqual({
      nproc: '2',
      command: 'bench/run.sh --sizes=10',
    });
  });

  it('reads a whole run folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
    writeFileSync(join(dir, 'results.tsv'), tsv([[10, 'noop', 'apim-provision', 1, 2.4]]));
    writeFileSync(join(dir, 'ansible-round-trips.tsv'), 'size\tscenario\trt_per_host\n');
    writeFileSync(join(dir, 'meta.env'), 'runs=1\n');
    const run = readRunDir(dir);
    expect(run.measurements).toHaveLength(1);
    expect(run.ansibleRoundTrips).toEqual([]);
    expect(run.meta).toEqual({ runs: '1' });
  });
});

describe('medians and comparisons', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });

  it('compares the medians of both tools per scenario and size, ordered by scenario then N', () => {
    const measurements = parseMeasurements(
      tsv([
        ...sizeRows(50, { noop: 8 }, { noop: 120 }),
        ...sizeRows(10, { noop: 2.5, converge: 6 }, { noop: 25, converge: 30 }),
      ]),
    );
    const rows = compare(measurements, [{ size: 10, scenario: 'noop', perHost: 20 }]);
    expect(rows.map((r) => `${r.scenario}@${r.size}`)).toEqual(['converge@10', 'noop@10', 'noop@50']);
    const noop50 = rows[2]!;
    expect(noop50.ours!.wallS).toBeCloseTo(8);
    expect(noop50.ansible!.wallS).toBe(120);
    expect(noop50.ratio).toBeCloseTo(15);
    // Ansible's round trips, counted at N=10 only, stand for every size; ours come from each run.
    expect(noop50.ansible!.roundTripsPerHost).toBe(20);
    expect(noop50.ours!.roundTripsPerHost).toBe(4);
    expect(noop50.ours!.targetCpuPerHostS).toBeCloseTo(1.5 / 50);
    expect(noop50.ours!.controllerCpuPerHostS).toBeCloseTo(2.5 / 50);
  });

  it('reports the largest peak memory over the runs, not the median', () => {
    const [row] = compare(
      parseMeasurements(
        tsv([
          [100, 'noop', 'apim-provision', 1, 9, 100 * 1024],
          [100, 'noop', 'apim-provision', 2, 9, 250 * 1024],
          [100, 'noop', 'apim-provision', 3, 9, 110 * 1024],
        ]),
      ),
      [],
    );
    expect(row!.ours!.maxRssMb).toBe(250);
    expect(row!.ansible).toBeUndefined();
    expect(row!.ratio).toBeUndefined();
  });

  it('shows how wall time grows relative to the smallest size', () => {
    const rows = compare(
      parseMeasurements(tsv([...sizeRows(10, { noop: 2 }, {}), ...sizeRows(100, { noop: 5 }, {})])),
      [],
    );
    expect(growth(rows)).toEqual([
      {
        scenario: 'noop',
        tool: 'apim-provision',
        points: [
          { size: 10, wallS: 2, relative: 1 },
          { size: 100, wallS: 5, relative: 2.5 },
        ],
      },
    ]);
  });
});

describe('the verdicts on the issue targets', () => {
  const verdicts = (rows: Row[]) =>
    Object.fromEntries(targets(compare(parseMeasurements(tsv(rows)), [])).map((t) => [t.target, t.verdict]));

  it('says "not measured" for every target a run did not cover', () => {
    expect(Object.values(verdicts(sizeRows(10, { noop: 2 }, { noop: 30 })))).toEqual([
      'not measured',
      'not measured',
      'not measured',
      'not measured',
    ]);
  });

  it('judges the ratios at N=50 against 10x (no-op) and 5x (converge)', () => {
    const v = verdicts(sizeRows(50, { noop: 10, converge: 20 }, { noop: 99, converge: 100 }));
    expect(v['no-op re-run at N=50: at least 10x faster than Ansible']).toBe('missed');
    expect(v['first converge at N=50: at least 5x faster than Ansible']).toBe('met');
  });

  it('misses the scaling target when any scenario more than doubles from N=10 to N=100', () => {
    const key = 'apim-provision wall time at N=100 no more than 2x that at N=10 (every scenario)';
    const within = [
      ...sizeRows(10, { noop: 2, converge: 5 }, {}),
      ...sizeRows(100, { noop: 4, converge: 9 }, {}),
    ];
    expect(verdicts(within)[key]).toBe('met');
    const beyond = [
      ...sizeRows(10, { noop: 2, converge: 5 }, {}),
      ...sizeRows(100, { noop: 4, converge: 11 }, {}),
    ];
    expect(verdicts(beyond)[key]).toBe('missed');
  });

  it('gives the CPU floor of each N=100 run with the scaling figures', () => {
    // cpu column: host CPU 1.5 s; user 2.0 + sys 0.5 on the controller: 4 CPU-s per run.
    const rows = [...sizeRows(10, { noop: 2 }, {}), ...sizeRows(100, { noop: 5 }, {})];
    const [, , scaling] = targets(compare(parseMeasurements(tsv(rows)), []), 2);
    expect(scaling!.measured).toBe(
      'noop 2.50x (2.00 s -> 5.00 s; the N=100 run needed 4 CPU-s on 2 CPUs: at least 2.0 s)',
    );
    const [, , unknownCpus] = targets(compare(parseMeasurements(tsv(rows)), []));
    expect(unknownCpus!.measured).toBe('noop 2.50x (2.00 s -> 5.00 s)');
  });

  it('has no CPU floor when the host CPU of a run is unknown', () => {
    const [row] = compare(parseMeasurements(tsv([[10, 'noop', 'apim-provision', 1, 2, 100_000, 'NA']])), []);
    expect(row!.ours!.totalCpuS).toBeUndefined();
    expect(cpuFloorS(row!.ours!, 2)).toBeUndefined();
  });

  it('judges peak memory at N=100 against 200 MB', () => {
    const key = 'apim-provision peak memory at N=100 under 200 MB';
    expect(verdicts([[100, 'noop', 'apim-provision', 1, 9, 150 * 1024]])[key]).toBe('met');
    expect(verdicts([[100, 'noop', 'apim-provision', 1, 9, 210 * 1024]])[key]).toBe('missed');
  });
});

describe('the results file', () => {
  const measurements = parseMeasurements(tsv(sizeRows(50, { noop: 8 }, { noop: 120 })));

  it('labels a smoke run as not the benchmark', () => {
    const md = resultsMarkdown({ measurements, ansibleRoundTrips: [], meta: { smoke: '1', sizes: '3' } });
    expect(md).toMatch(/^# Benchmark: apim-provision against Ansible — SMOKE RUN, NOT THE BENCHMARK/);
    expect(md).toContain('sizes 3');
  });

  it('gives the machine, the medians with their ratio, the verdicts, every run and the notes', () => {
    const md = resultsMarkdown({
      measurements,
      ansibleRoundTrips: [],
      meta: { smoke: '0', nproc: '2', runs: '3', command: 'bench/run.sh --sizes 50 --runs 3' },
      notes: 'Host CPU shares the cores.\n',
    });
    expect(md).not.toContain('SMOKE');
    expect(md).toContain('| CPUs (nproc) | 2 |');
    expect(md).toContain('**15.0x**');
    expect(md).toContain('| no-op re-run at N=50: at least 10x faster than Ansible | 15.0x');
    expect(md.match(/^\| 50 \| noop \| (apim-provision|ansible) \|/gm)).toHaveLength(6);
    expect(md.trimEnd().endsWith('## Notes\n\nHost CPU shares the cores.')).toBe(true);
  });

  it('shows the CPU floor next to each size in the growth table', () => {
    const rows = [...sizeRows(10, { noop: 2 }, {}), ...sizeRows(100, { noop: 5 }, {})];
    const md = resultsMarkdown({
      measurements: parseMeasurements(tsv(rows)),
      ansibleRoundTrips: [],
      meta: { nproc: '2' },
    });
    expect(md).toContain(
      '| 2 no-op re-run | apim-provision | 2.00 s (1.00x), CPU floor 2.0 s | 5.00 s (2.50x), CPU floor 2.0 s |',
    );
  });
});
