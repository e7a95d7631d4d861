import type { AnsibleRoundTrips, HandshakeRow, HostStepRow, Measurement, ScaleRow } from './measurements.js';
import { scalePoints, scaleTargets } from './scale.js';
import {
  type Comparison,
  type Growth,
  type TargetResult,
  compare,
  cpuBoundS,
  figuresOf,
  floorTargets,
  growth,
  targets,
} from './summary.js';

const SCENARIO_TITLES: Record<string, string> = {
  converge: '1 first converge (fresh nginx-preinstalled hosts)',
  noop: '2 no-op re-run',
  'check-diff': '3 --check --diff, conf.d file edited on every host',
  install: '4 first install of nginx (hosts without nginx)',
};

const s = (v: number | undefined, digits = 2) => (v === undefined ? 'n/a' : v.toFixed(digits));
const ms = (seconds: number | undefined) => (seconds === undefined ? 'n/a' : (seconds * 1000).toFixed(0));
const x = (v: number | undefined, bold = false) =>
  v === undefined ? 'n/a' : bold ? `**${v.toFixed(2)}x**` : `${v.toFixed(2)}x`;
const three = (
  c: Comparison,
  f: (t: NonNullable<Comparison['ours']>) => number | undefined,
  fmt: (v: number | undefined) => string,
) => [c.ours, c.ansible, c.floor].map((t) => (t ? fmt(f(t)) : 'n/a')).join(' / ');

function table(header: string[], body: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function wallTable(comparisons: Comparison[]): string {
  return table(
    [
      'scenario',
      'N',
      'runs (ours / Ansible / floor)',
      'apim-provision (s)',
      'Ansible (s)',
      'floor (s)',
      'Ansible / ours',
      'ours / floor',
      'Ansible / floor',
      'changed (ours / Ansible)',
    ],
    comparisons.map((c) => [
      SCENARIO_TITLES[c.scenario] ?? c.scenario,
      String(c.size),
      `${c.ours?.runs ?? 0} / ${c.ansible?.runs ?? 0} / ${c.floor?.runs ?? 0}`,
      s(c.ours?.wallS),
      s(c.ansible?.wallS),
      s(c.floor?.wallS),
      c.ratio === undefined ? 'n/a' : `**${c.ratio.toFixed(1)}x**`,
      x(c.oursOverFloor, true),
      x(c.ansibleOverFloor),
      `${s(c.ours?.changed, 0)} / ${s(c.ansible?.changed, 0)}`,
    ]),
  );
}

function costTable(comparisons: Comparison[]): string {
  return table(
    [
      'scenario',
      'N',
      'controller CPU/host (ms): ours / Ansible / floor',
      'host CPU/host (ms): ours / Ansible / floor',
      'round trips/host: ours / Ansible / floor',
      'ours peak RSS (MB)',
    ],
    comparisons.map((c) => [
      SCENARIO_TITLES[c.scenario] ?? c.scenario,
      String(c.size),
      three(c, (t) => t.controllerCpuPerHostS, ms),
      three(c, (t) => t.targetCpuPerHostS, ms),
      three(
        c,
        (t) => t.roundTripsPerHost,
        (v) => s(v, 1),
      ),
      s(c.ours?.maxRssMb, 0),
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
        const c = comparisons.find((y) => y.scenario === g.scenario && y.size === n);
        const f = c ? figuresOf(c, g.tool) : undefined;
        const bound = f ? cpuBoundS(f, cpus) : undefined;
        return `${p.wallS.toFixed(2)} s (${p.relative.toFixed(2)}x)${bound === undefined ? '' : `, CPU bound ${bound.toFixed(1)} s`}`;
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

function targetTable(issue: string, results: TargetResult[]): string {
  return table(
    [`target (issue ${issue})`, 'measured', 'verdict'],
    results.map((r) => [r.target, r.measured, r.verdict === 'missed' ? '**missed**' : r.verdict]),
  );
}

function handshakeTable(rows: HandshakeRow[]): string {
  return table(
    ['variant', 'connections', 'controller CPU (ms)', 'host CPU (ms)', 'wall (ms)', 'negotiated'],
    rows.map((r) => [
      r.variant,
      String(r.connections),
      r.controllerCpuMs.toFixed(1),
      r.hostCpuMs.toFixed(1),
      r.wallMs.toFixed(0),
      r.negotiated,
    ]),
  );
}

function hostStepTable(rows: HostStepRow[]): string {
  return table(
    ['step', 'runs', 'host CPU (ms)', 'processes started'],
    rows.map((r) => [r.step, String(r.runs), r.hostCpuMs.toFixed(1), String(r.execs)]),
  );
}

function scaleTable(rows: ScaleRow[]): string {
  return table(
    [
      'N (simulated)',
      'scenario',
      'forks',
      'wall (s)',
      'controller CPU/host (ms)',
      'peak RSS (MB)',
      'RSS/host (MB)',
      'round trips/host',
      'simulator CPU (s)',
    ],
    scalePoints(rows).map((p) => [
      String(p.size),
      SCENARIO_TITLES[p.scenario] ?? p.scenario,
      String(p.forks),
      p.wallS.toFixed(2),
      p.cpuPerHostMs.toFixed(2),
      p.peakRssMb.toFixed(0),
      p.rssPerHostMb.toFixed(3),
      p.roundTripsPerHost.toFixed(1),
      p.simCpuS.toFixed(1),
    ]),
  );
}

export interface ResultsInput {
  measurements: Measurement[];
  ansibleRoundTrips: AnsibleRoundTrips[];
  handshakes?: HandshakeRow[];
  hostSteps?: HostStepRow[];
  scale?: ScaleRow[];
  meta: Record<string, string>;
  /** Paragraphs kept from the previous results file (profiling notes written by people). */
  notes?: string;
}

const FULL_RUN =
  '`sudo bench/run.sh` (sizes 10 and 50, 3 runs, scenario 4 on 5 hosts, handshakes, the scale test at 1,000 and 5,000)';

export function resultsMarkdown(input: ResultsInput): string {
  const { measurements, ansibleRoundTrips, meta, notes } = input;
  const handshakes = input.handshakes ?? [];
  const hostSteps = input.hostSteps ?? [];
  const scale = input.scale ?? [];
  const comparisons = compare(measurements, ansibleRoundTrips);
  const cpus = Number(meta.nproc) || undefined;
  const smoke = meta.smoke === '1';
  const m = (k: string) => meta[k] ?? 'unknown';
  const parts = [
    `# Benchmark: apim-provision against Ansible and the floor${smoke ? ' — SMOKE RUN, NOT THE BENCHMARK' : ''}`,
    smoke
      ? `> **Smoke run.** This file comes from a small validation run of \`bench/run.sh\` (sizes ${m('sizes')}, ${m('runs')} run(s) each) on a machine busy with other work. Its figures only show that the harness works; they are not the benchmark and say nothing about the targets. The full run: ${FULL_RUN} on a quiet machine.`
      : `Written by \`${m('command')}\` (bench/run.sh); medians of ${m('runs')} runs per contender, scenario and size, the order of apim-provision, Ansible and the floor rotated from run to run.`,
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
        ['OpenSSH (Ansible transport, the floor)', m('openssh')],
        ['nginx', m('nginx')],
        ['command', `\`${m('command')}\``],
        ['duration of the whole run', `${m('duration_s')} s`],
      ],
    ),
    '## Wall time against Ansible and the floor (medians)',
    wallTable(comparisons),
    'The floor (bench/floor.sh) is the least remote work of the scenario, done by plain OpenSSH: one ' +
      'fresh connection per host (no ControlMaster), all hosts at once, one shell command with the ' +
      'cheapest safe algorithms (curve25519, ed25519, AES-GCM). No-op: `sudo sha256sum` of the conf.d ' +
      'file, certificate and key, and `nginx -V`. Check+diff: `sudo cat` of the three files. First converge: ' +
      'the three files (and the log folders `nginx -t` needs) in one tar stream on stdin, unpacked as root, ' +
      '`nginx -t`, one `nginx -s reload`. First install: `apt-get update`, `apt-get install nginx`, then ' +
      'what the converge does. It checks nothing, keeps no snapshot and confirms nothing; it is what no ' +
      'tool can do with less. Ratios: median wall time over median wall time (Ansible / ours above 1: ' +
      'apim-provision is faster; ours / floor: how far from the least work). Changed: tasks reported ' +
      'changed, summed over hosts, handlers included (in check mode apim-provision counts its pending ' +
      'reload, Ansible skips its handler commands).',
    '## Cost per host (medians)',
    costTable(comparisons),
    'Controller CPU: user+sys of the whole process tree (Ansible: its forks and ssh clients; the floor: ' +
      'its ssh clients) divided by N. Host CPU: CPU time the bench containers used during the run ' +
      '(cgroup cpuacct), divided by N. Round trips: apim-provision counts its remote programs (one channel each) ' +
      'per host (`--json` round_trips); for Ansible, the `SSH: EXEC` lines (commands and sftp transfers, ' +
      'each one a round trip over the ControlPersist connection) of one extra `-vvv` run per scenario, not ' +
      'timed, divided by N (scenarios 1-3 only); the floor runs one command per host. Peak RSS: largest ' +
      '"Maximum resident set size" of `/usr/bin/time` over the runs (one node process).',
    '## Targets',
    targetTable('15', [...floorTargets(comparisons), ...scaleTargets(scale)]),
    targetTable('6', targets(comparisons, cpus)),
    '## How wall time grows with N',
    'Median wall time per size, in brackets relative to the smallest size measured. CPU bound: the ' +
      "run's median CPU time (controller process tree and bench containers together) over the machine's " +
      'CPU count, the shortest wall time that work allows while hosts and controller share the CPUs; a ' +
      'wall time close to it means the run was parallel and CPU-bound, not waiting on serial steps.',
    growthTable(growth(comparisons), comparisons, cpus),
    '## What one SSH connection costs',
    handshakes.length === 0
      ? 'Not measured in this run (`--handshake-rounds 0`).'
      : 'bench/handshake/measure.ts on the hosts of the smallest size, one connection at a time (log in ' +
        'with the bench key, run `true`, disconnect), per connection. apim-provision: its real transport ' +
        "(known_hosts check, key authentication). ssh2: the library's Client with its defaults, or with " +
        "apim-provision's algorithms but one choice swapped. OpenSSH: `ssh -F /dev/null`, a fresh process " +
        'per connection, as the floor and Ansible use it (controller CPU: the ssh processes). Host CPU: ' +
        "the containers' cgroups (sshd's fork and re-exec, key exchange, the session's shell).\n\n" +
        handshakeTable(handshakes),
    '## What each remote step costs a host',
    hostSteps.length === 0
      ? 'Not measured in this run (`--handshake-rounds 0`).'
      : 'bench/host-cpu/steps.ts on the first host of the smallest size, converged by apim-provision ' +
        "first (its records and nginx -V record: what a real no-op finds), each step repeated (runs): CPU the host's container " +
        "used per step (cgroup), and the processes the step started (execve calls of the container's " +
        'sshd and its children, counted by strace in one more run). The facts program is the first ' +
        "round trip of `apply` with this load balancer's queries; the floor rows are the floor's own " +
        'commands, for comparison.\n\n' +
        hostStepTable(hostSteps),
    '## The controller alone, simulated hosts',
    scale.length === 0
      ? 'Not run in this run (`--scale-sizes` empty).'
      : 'bench/scale/run.ts: the built CLI, one process, against simulated load balancers in another ' +
        'process (bench/scale/sim-process.ts: one ssh2 server per host on its own loopback address, ' +
        "answering the engine's remote programs at once through the engine tests' host model), so only " +
        "the controller's own CPU and memory are measured; the simulator still shares the CPUs, so wall " +
        'time is an upper bound. Forks = N: every connection open at once.\n\n' +
        scaleTable(scale),
    '## What each contender does, and the differences',
    [
      '- Same hosts, same inventory file, same known_hosts; the three contenders rotate within one session (run 1: apim-provision, Ansible, floor; run 2: Ansible, floor, apim-provision; run 3: floor, apim-provision, Ansible). Before each first converge the hosts are reset by `docker exec` (conf.d file, certificate folder, log folders and apim-provision state removed, nginx reloaded); the reset is not timed.',
      "- apim-provision: `apply` with its built-in playbook (`playbooks/site.yml`), `--forks N`. Ansible: `bench/ansible/site.yml` with `bench/ansible/ansible.cfg` (pipelining, forks = N, no fact gathering, no interpreter discovery, ControlPersist, host key checking against the same known_hosts). Each ansible-playbook run gets a fresh ControlPath folder and its masters are closed afterwards, so no warm SSH connection carries over from one run to the next (apim-provision's connections cannot outlive its process either).",
      '- Certificates: apim-provision generates a key (ECDSA P-256) and a certificate (signed by its local CA) per host on the first converge and keeps them on later runs (it reads them back to check names and expiry). Ansible and the floor copy ONE key and certificate made once on the controller with openssl (not timed) to every host: less work than apim-provision does, and a weaker practice (one private key shared by every load balancer).',
      '- Configuration: Ansible and the floor copy exactly the conf.d file apim-provision renders (`apim-provision render --nginx-version <Debian nginx>`); Ansible creates the log folders with `file` and, through one handler, runs `nginx -t` and `nginx -s reload`. apim-provision stages the files, runs `nginx -t` on the candidate configuration before swapping it in, keeps a snapshot for rollback, reloads, and confirms that new nginx workers serve the new configuration.',
      "- NGINX: both tools check that nginx is installed (apim-provision from its facts script; Ansible with `dpkg-query`) and install Debian's nginx only when it is missing (scenario 4; Ansible's `apt` module with `update_cache`, python3-apt preinstalled on the bench hosts for it).",
      '- Check mode: both tools report the edited conf.d file as changed with a diff; neither touches the host.',
    ].join('\n'),
    '## Every run',
    rawTable(measurements),
  ];
  if (notes && notes.trim() !== '') parts.push('## Notes', notes.trim());
  return parts.join('\n\n') + '\n';
}
