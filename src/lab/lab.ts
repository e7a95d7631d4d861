import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ExecResult } from '../transport/types.js';
import { knownHostsFor } from './known-hosts.js';
import { withLabLock } from './lab-lock.js';
import { labInventoryYaml } from './lab-inventory.js';
import { labPaths, type LabPaths } from './lab-paths.js';
import { DEFAULT_LAB_SPEC, parseLabSpec } from './lab-spec.js';
import { dockerMachineAddress } from './machine-address.js';
import { labFilesTar, PASSWORD_SUDO_USER, prepareMachine } from './machine-setup.js';
import { setupPlusRepo } from './plus-repo.js';
import { parseSshConfig } from './ssh-config.js';
import { sshExec } from './ssh-exec.js';
import { startStandin, startStandins, stopStandin } from './standins.js';
import type {
  InventoryOverrides,
  LabExecOptions,
  LabMachine,
  LabPattern,
  LabProvider,
  LabSpec,
  LabState,
  StandinSpec,
} from './types.js';
import { parseMachineReadableStatus, vagrant } from './vagrant-cli.js';

export interface LabOptions {
  /** Lab working folder (default `vagrant/.lab`, git-ignored). */
  dir?: string;
  /** Progress lines (image build, Vagrant output, setup steps). */
  log?: (line: string) => void;
}

export interface LabUpOptions extends LabOptions {
  /** Vagrant provider (default docker, the only one usable in CI). */
  provider?: LabProvider;
  /** Build the docker images first when their recipe changed (default true with docker). */
  buildImages?: boolean;
}

/** A running lab. */
export interface Lab extends LabState {
  /** Writes the inventory for a pattern into `<dir>/inventories/` and returns its path. */
  inventoryFor(pattern: LabPattern, overrides?: InventoryOverrides): string;
  /** Runs a shell command on a machine over SSH (as root with `{ root: true }`). */
  exec(machine: string, command: string, options?: LabExecOptions): Promise<ExecResult>;
  /** Stops one stand-in API-M node (e.g. a primary, to prove fail-over). */
  stopStandin(name: string): Promise<void>;
  startStandin(name: string): Promise<void>;
  /** Inventory variables that point the tool at the stand-in NGINX Plus repository. */
  plusVars(): Record<string, string>;
}

/** Milliseconds per phase of the last labUp, for reports. */
export type LabUpTimings = Record<'images' | 'vagrantUp' | 'setup' | 'total', number>;

/**
 * Brings the lab up (or re-uses the running machines): builds images if needed, `vagrant up`,
 * records SSH endpoints and host keys, starts the stand-in API-M nodes and the stand-in Plus
 * repository, and saves the state to `<dir>/state.json`.
 */
export async function labUp(
  spec: LabSpec = DEFAULT_LAB_SPEC,
  options: LabUpOptions = {},
): Promise<Lab & { timings: LabUpTimings }> {
  const valid = parseLabSpec(spec);
  const paths = labPaths(options.dir);
  const provider = options.provider ?? 'docker';
  const log = options.log ?? (() => undefined);
  return withLabLock(paths.labDir, async () => {
    const started = Date.now();
    await writeFile(paths.specFile, JSON.stringify(valid, null, 2) + '\n');

    let mark = Date.now();
    if (provider === 'docker' && options.buildImages !== false) await buildImages(paths, log);
    const images = Date.now() - mark;

    mark = Date.now();
    if (provider === 'docker')
      await removeStrayContainers(
        paths,
        valid.machines.map((m) => m.name),
        log,
      );
    log(`vagrant up --provider=${provider} (${valid.machines.map((m) => m.name).join(', ')})`);
    await vagrant(paths, ['up', `--provider=${provider}`], { log });
    const vagrantUp = Date.now() - mark;

    mark = Date.now();
    const machines = await readMachines(paths, valid, provider);
    const machineList = Object.values(machines);
    await writeFile(paths.knownHostsFile, await knownHostsFor(machineList));
    const files = await labFilesTar(paths.vagrantDir);
    await Promise.all(machineList.map((m) => prepareMachine(m, paths.knownHostsFile, files)));
    log('starting stand-in API-M nodes and the stand-in Plus repository');
    const plusMachine = machineList.find((m) => m.role === 'plusrepo');
    const [plusRepo] = await Promise.all([
      plusMachine
        ? setupPlusRepo(plusMachine, paths.knownHostsFile, paths.labDir)
        : Promise.resolve(undefined),
      ...machineList
        .filter((m) => m.role === 'apim')
        .map((m) =>
          startStandins(
            m,
            paths.knownHostsFile,
            valid.standins.filter((s) => s.machine === m.name),
          ),
        ),
    ]);
    const setup = Date.now() - mark;

    const state: LabState = {
      dir: paths.labDir,
      provider,
      specFile: paths.specFile,
      knownHostsFile: paths.knownHostsFile,
      machines,
      standins: valid.standins,
      ...(plusRepo ? { plusRepo } : {}),
      passwordSudo: PASSWORD_SUDO_USER,
    };
    await writeFile(paths.stateFile, JSON.stringify(state, null, 2) + '\n');
    const timings = { images, vagrantUp, setup, total: Date.now() - started };
    log(
      `lab up in ${(timings.total / 1000).toFixed(1)} s (images ${images} ms, vagrant up ${vagrantUp} ms, setup ${setup} ms)`,
    );
    return { ...createLab(state), timings };
  });
}

/** Destroys the lab's machines and forgets its state (keys, inventories and images stay). */
export async function labDown(options: LabOptions = {}): Promise<void> {
  const paths = labPaths(options.dir);
  await withLabLock(paths.labDir, async () => {
    if (!existsSync(paths.specFile))
      await writeFile(paths.specFile, JSON.stringify(DEFAULT_LAB_SPEC, null, 2) + '\n');
    await vagrant(paths, ['destroy', '--force'], options.log ? { log: options.log } : {});
    await rm(paths.stateFile, { force: true });
    await rm(paths.knownHostsFile, { force: true });
  });
}

/** Machine name -> Vagrant state (`running`, `stopped`, `not_created`, ...). */
export async function labStatus(options: LabOptions = {}): Promise<Record<string, string>> {
  const paths = labPaths(options.dir);
  if (!existsSync(paths.specFile)) {
    await mkdir(paths.labDir, { recursive: true });
    await writeFile(paths.specFile, JSON.stringify(DEFAULT_LAB_SPEC, null, 2) + '\n');
  }
  return parseMachineReadableStatus(await vagrant(paths, ['status', '--machine-readable']));
}

/** The lab a previous labUp left running (reads `<dir>/state.json`). */
export async function openLab(options: LabOptions = {}): Promise<Lab> {
  const paths = labPaths(options.dir);
  const text = await readFile(paths.stateFile, 'utf8').catch(() => {
    throw new Error(`no running lab: ${paths.stateFile} is missing (bring the lab up with labUp first)`);
  });
  return createLab(JSON.parse(text) as LabState);
}

/**
 * A `vagrant up` that failed half-way can leave a container Vagrant never recorded; its name would
 * make every later `vagrant up` fail. Such containers of machines Vagrant has not created go.
 */
async function removeStrayContainers(
  paths: LabPaths,
  machines: string[],
  log: (line: string) => void,
): Promise<void> {
  const states = parseMachineReadableStatus(await vagrant(paths, ['status', '--machine-readable']));
  const prefix = process.env.APIM_LAB_PREFIX ?? 'apim-lab';
  const stray = machines.filter((m) => states[m] === 'not_created').map((m) => `${prefix}-${m}`);
  if (stray.length === 0) return;
  const removed = await execa('docker', ['rm', '-f', ...stray], { reject: false });
  for (const name of removed.stdout.split('\n').filter((l) => l.trim() !== ''))
    log(`removed container ${name}, left by an earlier vagrant up that failed`);
}

async function buildImages(paths: LabPaths, log: (line: string) => void): Promise<void> {
  const child = execa('bash', [join(paths.root, 'scripts', 'lab-images.sh')], { reject: false, all: true });
  child.all?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
  });
  const result = await child;
  if (result.exitCode !== 0) throw new Error(`scripts/lab-images.sh failed:\n${result.all ?? ''}`);
}

async function readMachines(
  paths: LabPaths,
  spec: LabSpec,
  provider: LabProvider,
): Promise<Record<string, LabMachine>> {
  const config = parseSshConfig(await vagrant(paths, ['ssh-config']));
  const machines: Record<string, LabMachine> = {};
  for (const m of spec.machines) {
    const entry = config.get(m.name);
    if (!entry) throw new Error(`vagrant ssh-config printed nothing for ${m.name}`);
    machines[m.name] = {
      name: m.name,
      role: m.role,
      suite: m.suite,
      sshHost: entry.hostName,
      sshPort: entry.port,
      user: entry.user,
      keyFile: entry.identityFile,
      ip: provider === 'docker' ? await dockerMachineAddress(paths, m.name) : m.ip,
    };
  }
  return machines;
}

function createLab(state: LabState): Lab {
  const machine = (name: string): LabMachine => {
    const m = state.machines[name];
    if (!m)
      throw new Error(`the lab has no machine ${name} (it has ${Object.keys(state.machines).join(', ')})`);
    return m;
  };
  const standin = (name: string): StandinSpec => {
    const s = state.standins.find((x) => x.name === name);
    if (!s) throw new Error(`the lab has no stand-in ${name}`);
    return s;
  };
  return {
    ...state,
    inventoryFor(pattern, overrides = {}) {
      const lbNames =
        overrides.loadBalancers ??
        Object.values(state.machines)
          .filter((m) => m.role === 'lb')
          .map((m) => m.name);
      const yaml = labInventoryYaml({
        pattern,
        loadBalancers: lbNames.map(machine),
        machines: state.machines,
        standins: state.standins,
        knownHostsFile: state.knownHostsFile,
        overrides,
      });
      const dir = join(state.dir, 'inventories');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, overrides.fileName ?? `${pattern}.yml`);
      writeFileSync(file, yaml);
      return file;
    },
    exec: (name, command, options = {}) => sshExec(machine(name), state.knownHostsFile, command, options),
    stopStandin: async (name) => {
      const s = standin(name);
      await stopStandin(machine(s.machine), state.knownHostsFile, s);
    },
    startStandin: async (name) => {
      const s = standin(name);
      await startStandin(machine(s.machine), state.knownHostsFile, s);
    },
    plusVars() {
      const p = state.plusRepo;
      if (!p) throw new Error('the lab has no plusrepo machine');
      return {
        nginx_edition: 'plus',
        nginx_repo_url: p.repoUrl,
        nginx_repo_signing_key: p.signingKeyFile,
        // The stand-in repository signs with its own key, not nginx.org's (the default pin).
        nginx_repo_signing_key_fingerprint: p.fingerprint,
        nginx_repo_ca_file: p.caFile,
        nginx_plus_repo_cert: p.certificateFile,
        nginx_plus_repo_key: p.keyFile,
        nginx_plus_jwt: p.jwtFile,
        // The stand-in `nginx-plus` package brings open-source nginx, which has no health_check.
        apim_active_health_checks: 'false',
      };
    },
  };
}
