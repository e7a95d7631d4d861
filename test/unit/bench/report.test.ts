// bench/report turns bench/run.sh's raw figures into bench/RESULTS.md: the verdicts it writes are
// the benchmark's conclusions, so the arithmetic and the judging are tested here on made-up runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultsMarkdown } from '../../../bench/report/markdown.js';
import {
  type HandshakeRow,
  type Measurement,
  parseAnsibleRoundTrips,
  parseScale,
  parseMeasurements,
  parseMeta,
  readRunDir,
} from '../../../bench/report/measurements.js';
import { scaleTargets } from '../../../bench/report/scale.js';
import { compare, cpuBoundS, floorTargets, growth, median, targets } from '../../../bench/report/summary.js';

const HEADER =
  'size\tscenario\ttool\trun\twall_s\tmaxrss_kb\tuser_s\tsys_s\ttarget_cpu_s\trt_per_host\tchanged\texit';

type Row = [number, string, string, number, number, number?, string?];
/** size scenario tool run wall [rssKb] [targetCpu]: the other columns get plausible values. */
function tsv(rows: Row[]): string {
  const lines = rows.map(([size, scenario, tool, run, wall, rss = 100_000, cpu = '1.5']) =>
    [
      size,
      scenario,
      tool,
      run,
      wall,
      rss,
      '2.0',
      '0.5',
      cpu,
      { ansible: 'NA', floor: '1.0' }[tool] ?? '4.0',
      0,
      0,
    ].join('\t'),
  );
  return [HEADER, ...lines].join('\n') + '\n';
}

/** Every scenario at one size, three runs per contender, with the given median wall times. */
function sizeRows(
  size: number,
  ours: Record<string, number>,
  ansible: Record<string, number>,
  floor: Record<string, number> = {},
): Row[] {
  const rows: Row[] = [];
  for (const [scenario, wall] of Object.entries(ours))
    for (const run of [1, 2, 3]) rows.push([size, scenario, 'apim-provision', run, wall + (run - 2) * 0.1]);
  for (const [scenario, wall] of Object.entries(ansible))
    for (const run of [1, 2, 3]) rows.push([size, scenario, 'ansible', run, wall + (run - 2)]);
  for (const [scenario, wall] of Object.entries(floor))
    for (const run of [1, 2, 3]) rows.push([size, scenario, 'floor', run, wall + (run - 2) * 0.01]);
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

  it('gives the CPU bound of each N=100 run with the scaling figures', () => {
    // cpu column: host CPU 1.5 s; user 2.0 + sys 0.5 on the controller: 4 CPU-s per run.
    const rows = [...sizeRows(10, { noop: 2 }, {}), ...sizeRows(100, { noop: 5 }, {})];
    const [, , scaling] = targets(compare(parseMeasurements(tsv(rows)), []), 2);
    expect(scaling!.measured).toBe(
      'noop 2.50x (2.00 s -> 5.00 s; the N=100 run needed 4 CPU-s on 2 CPUs: at least 2.0 s)',
    );
    const [, , unknownCpus] = targets(compare(parseMeasurements(tsv(rows)), []));
    expect(unknownCpus!.measured).toBe('noop 2.50x (2.00 s -> 5.00 s)');
  });

  it('has no CPU bound when the host CPU of a run is unknown', () => {
    const [row] = compare(parseMeasurements(tsv([[10, 'noop', 'apim-provision', 1, 2, 100_000, 'NA']])), []);
    expect(row!.ours!.totalCpuS).toBeUndefined();
    expect(cpuBoundS(row!.ours!, 2)).toBeUndefined();
  });

  it('judges peak memory at N=100 against 200 MB', () => {
    const key = 'apim-provision peak memory at N=100 under 200 MB';
    expect(verdicts([[100, 'noop', 'apim-provision', 1, 9, 150 * 1024]])[key]).toBe('met');
    expect(verdicts([[100, 'noop', 'apim-provision', 1, 9, 210 * 1024]])[key]).toBe('missed');
  });
});

describe('the floor', () => {
  const rows = [
    ...sizeRows(
      10,
      { noop: 2.3, 'check-diff': 2.4, converge: 3 },
      { converge: 30 },
      { noop: 2, 'check-diff': 2, converge: 2 },
    ),
    ...sizeRows(
      50,
      { noop: 5.5, 'check-diff': 6, converge: 9 },
      { converge: 80 },
      { noop: 5, 'check-diff': 5, converge: 5 },
    ),
  ];
  const comparisons = compare(parseMeasurements(tsv(rows)), []);

  it('sets each tool beside the least work: ours / floor and Ansible / floor', () => {
    const converge10 = comparisons.find((c) => c.scenario === 'converge' && c.size === 10)!;
    expect(converge10.floor!.wallS).toBeCloseTo(2);
    expect(converge10.floor!.roundTripsPerHost).toBe(1);
    expect(converge10.oursOverFloor).toBeCloseTo(1.5);
    expect(converge10.ansibleOverFloor).toBeCloseTo(15);
    expect(converge10.ratio).toBeCloseTo(10);
  });

  it("judges issue 15's targets at N=10 and N=50, each size on its own", () => {
    const v = Object.fromEntries(floorTargets(comparisons).map((t) => [t.target, t]));
    // no-op: 1.15x at N=10 (2.3 / 2), 1.1x at N=50: both within 1.15x.
    expect(v['no-op re-run: at most 1.15x the floor']!.verdict).toBe('met');
    expect(v['no-op re-run: at most 1.15x the floor']!.measured).toBe(
      'N=10 1.15x (apim-provision 2.30 s, floor 2.00 s); N=50 1.10x (apim-provision 5.50 s, floor 5.00 s)',
    );
    // check+diff: 1.2x at N=10 is within, 1.2x at N=50 too.
    expect(v['check+diff: at most 1.2x its floor']!.verdict).toBe('met');
    // converge: 1.5x at N=10 met, 1.8x at N=50 missed: missed.
    expect(v['first converge: at most 1.5x its floor']!.verdict).toBe('missed');
    // 10x and 8.9x faster than Ansible.
    expect(v['first converge: at least 8x faster than Ansible']!.verdict).toBe('met');
  });

  it('says "not measured" while a judged size is missing, and never "met"', () => {
    const only10 = compare(parseMeasurements(tsv(sizeRows(10, { noop: 2 }, {}, { noop: 2 }))), []);
    const [noop] = floorTargets(only10);
    expect(noop!.verdict).toBe('not measured');
    expect(noop!.measured).toContain('N=50 not measured');
    const slow = compare(parseMeasurements(tsv(sizeRows(10, { noop: 3 }, {}, { noop: 2 }))), []);
    expect(floorTargets(slow)[0]!.verdict).toBe('missed');
  });

  it('puts the floor in the wall time, cost and growth tables', () => {
    const md = resultsMarkdown({
      measurements: parseMeasurements(tsv(rows)),
      ansibleRoundTrips: [],
      meta: {},
    });
    expect(md).toContain(
      '| 1 first converge (fresh nginx-preinstalled hosts) | 10 | 3 / 3 / 3 | 3.00 | 30.00 | 2.00 | **10.0x** | **1.50x** | 15.00x |',
    );
    expect(md).toMatch(
      /\| 2 no-op re-run \| 50 \| 50 \/ n\/a \/ 50 \| 30 \/ n\/a \/ 30 \| 4\.0 \/ n\/a \/ 1\.0 \|/,
    );
    expect(md).toContain('| 2 no-op re-run | floor | 2.00 s (1.00x) | 5.00 s (2.50x) |');
    expect(md).toContain('| no-op re-run: at most 1.15x the floor |');
  });
});

describe('the SSH connection costs and the simulated controller', () => {
  const SCALE_HEADER =
    'size\tscenario\tforks\twall_s\tmaxrss_kb\tuser_s\tsys_s\tsim_cpu_s\tchanged\trt_per_host\texit';
  /** size scenario wall rss(KB) user sys */
  const scaleTsv = (rows: [number, string, number, number, number, number][]) =>
    [
      SCALE_HEADER,
      ...rows.map(([n, sc, wall, rss, user, sys]) =>
        [n, sc, n, wall, rss, user, sys, 3.5, 0, 4, 0].join('\t'),
      ),
    ].join('\n');

  it('judges CPU and memory per host at 5,000 hosts, and linear growth from 1,000', () => {
    const within = parseScale(
      scaleTsv([
        [1000, 'noop', 10, 400 * 1024, 4, 0.5],
        [5000, 'noop', 40, 1800 * 1024, 19, 1],
      ]),
    );
    // 4.5 ms/host and 0.41 MB/host at 1,000; 4 ms and 0.36 MB at 5,000.
    expect(scaleTargets(within).map((t) => t.verdict)).toEqual(['met', 'met', 'met']);
    expect(scaleTargets(within)[0]!.measured).toBe('noop 4.00 ms');
    const superlinear = parseScale(
      scaleTsv([
        [1000, 'noop', 10, 400 * 1024, 3, 0],
        [5000, 'noop', 40, 2000 * 1024, 24, 0],
      ]),
    );
    // 3 ms/host at 1,000, 4.8 ms at 5,000: within 5 ms, but 1.6x per host: not linear.
    expect(scaleTargets(superlinear).map((t) => t.verdict)).toEqual(['met', 'met', 'missed']);
    expect(scaleTargets([]).map((t) => t.verdict)).toEqual(['not measured', 'not measured', 'not measured']);
  });

  it('reads both files when present and writes their tables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
    writeFileSync(join(dir, 'results.tsv'), tsv([[10, 'noop', 'floor', 1, 2.4]]));
    writeFileSync(join(dir, 'ansible-round-trips.tsv'), 'size\tscenario\trt_per_host\n');
    writeFileSync(join(dir, 'meta.env'), 'runs=1\n');
    expect(readRunDir(dir)).toMatchObject({ handshakes: [], hostSteps: [], scale: [] });
    expect(resultsMarkdown(readRunDir(dir))).toContain(
      '## What each remote step costs a host\n\nNot measured',
    );
    writeFileSync(
      join(dir, 'handshake.tsv'),
      'variant\tconnections\tcontroller_cpu_ms\thost_cpu_ms\twall_ms\tnegotiated\n' +
        'OpenSSH defaults\t30\t80.00\t45.00\t443.35\tkey exchange sntrup761x25519-sha512, host key ssh-ed25519, cipher chacha20-poly1305@openssh.com\n',
    );
    writeFileSync(join(dir, 'scale.tsv'), scaleTsv([[1000, 'converge', 12.5, 512 * 1024, 5, 1]]));
    writeFileSync(
      join(dir, 'host-steps.tsv'),
      'step\truns\thost_cpu_ms\texecs\nfacts program (first round trip of apply)\t10\t49.6\t27\n',
    );
    const run = readRunDir(dir);
    expect(run.handshakes).toEqual<HandshakeRow[]>([
      {
        variant: 'OpenSSH defaults',
        connections: 30,
        controllerCpuMs: 80,
        hostCpuMs: 45,
        wallMs: 443.35,
        negotiated:
          'key exchange sntrup761x25519-sha512, host key ssh-ed25519, cipher chacha20-poly1305@openssh.com',
      },
    ]);
    expect(run.hostSteps).toEqual([
      { step: 'facts program (first round trip of apply)', runs: 10, hostCpuMs: 49.6, execs: 27 },
    ]);
    const md = resultsMarkdown(run);
    expect(md).toContain('| OpenSSH defaults | 30 | 80.0 | 45.0 | 443 | key exchange sntrup761x25519-sha512');
    expect(md).toContain('| facts program (first round trip of apply) | 10 | 49.6 | 27 |');
    expect(md).toContain(
      '| 1000 | 1 first converge (fresh nginx-preinstalled hosts) | 1000 | 12.50 | 6.00 | 512 | 0.512 | 4.0 | 3.5 |',
    );
  });
});

describe('the results file', () => {
  const measurements = parseMeasurements(tsv(sizeRows(50, { noop: 8 }, { noop: 120 })));

  it('labels a smoke run as not the benchmark', () => {
    const md = resultsMarkdown({ measurements, ansibleRoundTrips: [], meta: { smoke: '1', sizes: '3' } });
    expect(md).toMatch(
      /^# Benchmark: apim-provision against Ansible and the floor — SMOKE RUN, NOT THE BENCHMARK/,
    );
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

  it('shows the CPU bound next to each size in the growth table', () => {
    const rows = [...sizeRows(10, { noop: 2 }, {}), ...sizeRows(100, { noop: 5 }, {})];
    const md = resultsMarkdown({
      measurements: parseMeasurements(tsv(rows)),
      ansibleRoundTrips: [],
      meta: { nproc: '2' },
    });
    expect(md).toContain(
      '| 2 no-op re-run | apim-provision | 2.00 s (1.00x), CPU bound 2.0 s | 5.00 s (2.50x), CPU bound 2.0 s |',
    );
  });
});
