import { existsSync, readFileSync } from 'node:fs';

/** The two tools, and the floor: the least remote work of a scenario, by plain OpenSSH (bench/floor.sh). */
export type Tool = 'apim-provision' | 'ansible' | 'floor';
export type Scenario = 'converge' | 'noop' | 'check-diff' | 'install';

/** One timed run of one tool, as bench/run.sh appends it to results.tsv. */
export interface Measurement {
  size: number;
  scenario: Scenario;
  tool: Tool;
  run: number;
  wallS: number;
  maxRssKb: number;
  userS: number;
  sysS: number;
  /** CPU used inside the bench containers during the run; undefined when cgroups could not be read. */
  targetCpuS: number | undefined;
  /** Round trips per host: apim-provision's --json report, 1 for the floor; undefined for Ansible. */
  roundTripsPerHost: number | undefined;
  changed: number | undefined;
}

/** Ansible's SSH round trips per host, counted from one extra -vvv run per scenario. */
export interface AnsibleRoundTrips {
  size: number;
  scenario: Scenario;
  perHost: number;
}

const SCENARIOS: readonly Scenario[] = ['converge', 'noop', 'check-diff', 'install'];
const TOOLS: readonly Tool[] = ['apim-provision', 'ansible', 'floor'];

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined || text === 'NA' || text === '' ? undefined : Number(text);
}

function rows(text: string): Record<string, string>[] {
  const [header, ...lines] = text.split('\n').filter((l) => l.trim() !== '');
  if (!header) return [];
  const names = header.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
  });
}

function scenarioOf(text: string | undefined): Scenario {
  const found = SCENARIOS.find((s) => s === text);
  if (!found) throw new Error(`unknown scenario '${text}' in the bench results`);
  return found;
}

/** Parses results.tsv (header line, tab-separated; NA for a figure that could not be taken). */
export function parseMeasurements(text: string): Measurement[] {
  return rows(text).map((r) => {
    const tool = TOOLS.find((t) => t === r.tool);
    if (!tool) throw new Error(`unknown tool '${r.tool}' in the bench results`);
    return {
      size: Number(r.size),
      scenario: scenarioOf(r.scenario),
      tool,
      run: Number(r.run),
      wallS: Number(r.wall_s),
      maxRssKb: Number(r.maxrss_kb),
      userS: Number(r.user_s),
      sysS: Number(r.sys_s),
      targetCpuS: optionalNumber(r.target_cpu_s),
      roundTripsPerHost: optionalNumber(r.rt_per_host),
      changed: optionalNumber(r.changed),
    };
  });
}

export function parseAnsibleRoundTrips(text: string): AnsibleRoundTrips[] {
  return rows(text).map((r) => ({
    size: Number(r.size),
    scenario: scenarioOf(r.scenario),
    perHost: Number(r.rt_per_host),
  }));
}

/** meta.env: key=value lines (machine, versions, options of the run). */
export function parseMeta(text: string): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) meta[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return meta;
}

/** What one SSH connection cost, per variant (bench/handshake/measure.ts). */
export interface HandshakeRow {
  variant: string;
  connections: number;
  controllerCpuMs: number;
  hostCpuMs: number;
  wallMs: number;
  /** Key exchange, host key and cipher the connections used. */
  negotiated: string;
}

export function parseHandshakes(text: string): HandshakeRow[] {
  return rows(text).map((r) => ({
    variant: r.variant ?? '',
    connections: Number(r.connections),
    controllerCpuMs: Number(r.controller_cpu_ms),
    hostCpuMs: Number(r.host_cpu_ms),
    wallMs: Number(r.wall_ms),
    negotiated: r.negotiated ?? '',
  }));
}

/** What one remote step cost the host, on one bench host (bench/host-cpu/steps.ts). */
export interface HostStepRow {
  step: string;
  runs: number;
  hostCpuMs: number;
  /** Processes started (execve calls counted by strace in one more run). */
  execs: number;
}

export function parseHostSteps(text: string): HostStepRow[] {
  return rows(text).map((r) => ({
    step: r.step ?? '',
    runs: Number(r.runs),
    hostCpuMs: Number(r.host_cpu_ms),
    execs: Number(r.execs),
  }));
}

/** One controller run against simulated hosts (bench/scale/run.ts). */
export interface ScaleRow {
  size: number;
  scenario: Scenario;
  forks: number;
  wallS: number;
  maxRssKb: number;
  userS: number;
  sysS: number;
  /** CPU of the simulator process (the hosts' side), not the controller's. */
  simCpuS: number;
  changed: number;
  roundTripsPerHost: number;
}

export function parseScale(text: string): ScaleRow[] {
  return rows(text).map((r) => ({
    size: Number(r.size),
    scenario: scenarioOf(r.scenario),
    forks: Number(r.forks),
    wallS: Number(r.wall_s),
    maxRssKb: Number(r.maxrss_kb),
    userS: Number(r.user_s),
    sysS: Number(r.sys_s),
    simCpuS: Number(r.sim_cpu_s),
    changed: Number(r.changed),
    roundTripsPerHost: Number(r.rt_per_host),
  }));
}

/** A run folder; handshake.tsv, host-steps.tsv and scale.tsv are there only when those parts ran. */
export function readRunDir(dir: string) {
  const optional = (file: string) =>
    existsSync(`${dir}/${file}`) ? readFileSync(`${dir}/${file}`, 'utf8') : '';
  return {
    measurements: parseMeasurements(readFileSync(`${dir}/results.tsv`, 'utf8')),
    ansibleRoundTrips: parseAnsibleRoundTrips(readFileSync(`${dir}/ansible-round-trips.tsv`, 'utf8')),
    handshakes: parseHandshakes(optional('handshake.tsv')),
    hostSteps: parseHostSteps(optional('host-steps.tsv')),
    scale: parseScale(optional('scale.tsv')),
    meta: parseMeta(readFileSync(`${dir}/meta.env`, 'utf8')),
  };
}
