import type { Measurement } from './measurements.js';
import {
  type Comparison,
  type Growth,
  type TargetResult,
  compare,
  cpuFloorS,
  growth,
  targets,
} from './summary.js';
import type { AnsibleRoundTrips } from './measurements.js';

const SCENARIO_TITLES: Record<string, string> = {
  converge: '1 first converge (fresh nginx-preinstalled hosts)',
  noop: '2 no-op re-run',
  'check-diff': '3 --check --diff, conf.d file edited on every host',
  install: '4 first install of nginx (hosts without nginx)',
};

const s = (v: number | undefined, digits = 2) => (v === undefined ? 'n/a' : v.toFixed(digits));

function table(header: string[], body: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function comparisonTable(comparisons: Comparison[]): string {
  return table(
    [
      'scenario',
      'N',
      'runs',
      'apim-provision wall (s)',
      'Ansible wall (s)',
      'ratio Ansible/ours',
      'ours peak RSS (MB)',
      'ours controller CPU/host (s)',
      'Ansible controller CPU/host (s)',
      'ours host CPU/host (s)',
      'Ansible host CPU/host (s)',
      'ours round trips/host',
      'Ansible round trips/host',
      'changed (ours / Ansible)',
    ],
    comparisons.map((c) => [
      SCENARIO_TITLES[c.scenario] ?? c.scenario,
      String(c.size),
      `${c.ours?.runs ?? 0} / ${c.ansible?.runs ?? 0}`,
      s(c.ours?.wallS),
      s(c.ansible?.wallS),
      c.ratio === undefined ? 'n/a' : `**${c.ratio.toFixed(1)}x**`,
      s(c.ours?.maxRssMb, 0),
      s(c.ours?.controllerCpuPerHostS, 3),
      s(c.ansible?.controllerCpuPerHostS, 3),
      s(c.ours?.targetCpuPerHostS, 3),
      s(c.ansible?.targetCpuPerHostS, 3),
      s(c.ours?.roundTripsPerHost, 1),
      s(c.ansible?.roundTripsPerHost, 1),
      `${s(c.ours?.changed, 0)} / ${s(c.ansible?.changed, 0)}`,
    ]),
  );
}

function growthTable(rows: Growth[], comparisons: Comparison[], cpus: number | undefined): string {
  if (rows.length === 0) return 'Only one size was measured: no growth figures.';
  const sizes = [...new Set(rows.flatMap((g) => g.points.map((p) => p.size)))].sort((a, b) => a - b);
  return table(
    ['scenario', 'tool', ...sizes.map((n) => `N=${n}`)],
    rows.map((g) => [
      SCENARIO_TITLES[g.scenario] ?? g.scenario,
      g.tool,
      ...sizes.map((n) => {
        const p = g.points.find((x) => x.size === n);
        if (!p) return 'n/a';
        const c = comparisons.find((x) => x.scenario === g.scenario && x.size === n);
        const f = g.tool === 'ansible' ? c?.ansible : c?.ours;
        const floor = f ? cpuFloorS(f, cpus) : undefined;
        return `${p.wallS.toFixed(2)} s (${p.relative.toFixed(2)}x)${floor === undefined ? '' : `, CPU floor ${floor.toFixed(1)} s`}`;
      }),
    ]),
  );
}

function rawTable(measurements: Measurement[]): string {
  return table(
    [
      'N',
      'scenario',
      'tool',
      'run',
      'wall (s)',
      'max RSS (KB)',
      'user (s)',
      'sys (s)',
      'host CPU (s)',
      'rt/host',
      'changed',
    ],
    measurements.map((m) => [
      String(m.size),
      m.scenario,
      m.tool,
      String(m.run),
      m.wallS.toFixed(2),
      String(m.maxRssKb),
      m.userS.toFixed(2),
      m.sysS.toFixed(2),
      s(m.targetCpuS),
      s(m.roundTripsPerHost, 1),
      s(m.changed, 0),
    ]),
  );
}

function targetTable(results: TargetResult[]): string {
  return table(
    ['target (issue 6)', 'measured', 'verdict'],
    results.map((r) => [r.target, r.measured, r.verdict === 'missed' ? '**missed**' : r.verdict]),
  );
}

export interface ResultsInput {
  measurements: Measurement[];
  ansibleRoundTrips: AnsibleRoundTrips[];
  meta: Record<string, string>;
  /** Paragraphs kept from the previous results file (profiling notes written by people). */
  notes?: string;
}

export function resultsMarkdown({ measurements, ansibleRoundTrips, meta, notes }: ResultsInput): string {
  const comparisons = compare(measurements, ansibleRoundTrips);
  const cpus = Number(meta.nproc) || undefined;
  const smoke = meta.smoke === '1';
  const m = (k: string) => meta[k] ?? 'unknown';
  const parts = [
    `# Benchmark: apim-provision against Ansible${smoke ? ' — SMOKE RUN, NOT THE BENCHMARK' : ''}`,
    smoke
      ? `> **Smoke run.** This file comes from a small validation run of \`bench/run.sh\` (sizes ${m('sizes')}, ${m('runs')} run(s) each) on a machine busy with other work. Its figures only show that the harness works; they are not the benchmark and say nothing about the targets. The full run: \`sudo bench/run.sh --sizes 10,50,100 --runs 3\` on a quiet machine.`
      : `Written by \`${m('command')}\` (bench/run.sh); medians of ${m('runs')} runs per tool, scenario and size, tools alternated.`,
    '## Machine and versions',
    table(
      ['', ''],
      [
        ['date (UTC)', m('date')],
        ['CPUs (nproc)', m('nproc')],
        ['CPU', m('cpu')],
        ['memory', m('memory')],
        ['kernel', m('kernel')],
        ['load average before / after', `${m('load_before')} / ${m('load_after')}`],
        ['node', m('node')],
        ['apim-provision', `git ${m('apim_provision_rev')}`],
        ['ansible-core', m('ansible_core')],
        ['OpenSSH (Ansible transport)', m('openssh')],
        ['nginx', m('nginx')],
        ['command', `\`${m('command')}\``],
        ['duration of the whole run', `${m('duration_s')} s`],
      ],
    ),
    '## Results (medians)',
    comparisonTable(comparisons),
    'Ratio: Ansible median wall time / apim-provision median wall time (above 1: apim-provision is faster). ' +
      'Peak RSS: largest "Maximum resident set size" of `/usr/bin/time` over the runs (for apim-provision one node process). ' +
      'Controller CPU: user+sys of the whole process tree (for Ansible: its forks and ssh clients) divided by N. ' +
      'Host CPU: CPU time the bench containers used during the run (cgroup cpuacct), divided by N. ' +
      'Round trips: apim-provision counts its remote commands and uploads per host (`--json` round_trips); ' +
      'for Ansible, the `SSH: EXEC` lines (commands and sftp transfers, each one a round trip over the ' +
      'ControlPersist connection) of one extra `-vvv` run per scenario, not timed, divided by N. ' +
      'Changed: tasks reported changed, summed over hosts, handlers included (in check mode apim-provision counts its pending reload, Ansible skips its handler commands). ' +
      'Ansible round trips are counted for scenarios 1-3 only (n/a for scenario 4).',
    '## Targets',
    targetTable(targets(comparisons, cpus)),
    '## How wall time grows with N',
    'Median wall time per size, in brackets relative to the smallest size measured. CPU floor: the ' +
      "run's median CPU time (controller process tree and bench containers together) over the machine's " +
      'CPU count, the shortest wall time that work allows while hosts and controller share the CPUs; a ' +
      'wall time close to it means the run was parallel and CPU-bound, not waiting on serial steps.',
    growthTable(growth(comparisons), comparisons, cpus),
    '## What each tool does, and the differences',
    [
      '- Same hosts, same inventory file, same known_hosts; both tools alternate within one session (odd runs apim-provision first, even runs Ansible first). Before each first converge the hosts are reset by `docker exec` (conf.d file, certificate folder, log folders and apim-provision state removed, nginx reloaded); the reset is not timed.',
      "- apim-provision: `apply` with its built-in playbook (`playbooks/site.yml`), `--forks N`. Ansible: `bench/ansible/site.yml` with `bench/ansible/ansible.cfg` (pipelining, forks = N, no fact gathering, no interpreter discovery, ControlPersist, host key checking against the same known_hosts). Each ansible-playbook run gets a fresh ControlPath folder and its masters are closed afterwards, so no warm SSH connection carries over from one run to the next (apim-provision's connections cannot outlive its process either).",
      '- Certificates: apim-provision generates a key and a certificate (signed by its local CA) per host on the first converge and keeps them on later runs (it reads them back to check names and expiry). The Ansible playbook copies ONE key and certificate made once on the controller with openssl (not timed) to every host: less work than apim-provision does, and a weaker practice (one private key shared by every load balancer).',
      '- Configuration: the Ansible playbook copies exactly the conf.d file apim-provision renders (`apim-provision render --nginx-version <Debian nginx>`), creates the log folders with `file` and, through one handler, runs `nginx -t` and `nginx -s reload`. apim-provision stages the files, runs `nginx -t` on the candidate configuration before swapping it in, keeps a snapshot for rollback, reloads, and confirms that new nginx workers serve the new configuration.',
      "- NGINX: both check that nginx is installed (apim-provision from its facts script; Ansible with `dpkg-query`) and install Debian's nginx only when it is missing (scenario 4; Ansible's `apt` module with `update_cache`, python3-apt preinstalled on the bench hosts for it).",
      '- Check mode: both report the edited conf.d file as changed with a diff; neither touches the host.',
    ].join('\n'),
    '## Every run',
    rawTable(measurements),
  ];
  if (notes && notes.trim() !== '') parts.push('## Notes', notes.trim());
  return parts.join('\n\n') + '\n';
}
