// The controller side of bench/scale/sim-process.ts: starts the simulated fleet in a process of its
// own (so that the controller's CPU is measured without the servers') and sends it commands. Used by
// bench/scale/run.ts and bench/startup/ab.ts.
import { appendFileSync } from 'node:fs';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

import type { Endpoint, FleetStats } from './simulator.js';

/**
 * bash arguments that run `argv` with room for `hosts` connections: each is a descriptor, and each
 * simulated host also a listening socket (the usual soft limit, 1024, would stop at a few hundred).
 */
export function withFdLimit(hosts: number, argv: string[]): string[] {
  return ['-c', 'ulimit -n "$1" && exec "${@:2}"', 'bash', String(2 * hosts + 1024), ...argv];
}

export interface SimulatorFiles {
  hostKey: string;
  userPub: string;
}

/** The simulator process: one JSON answer line per command line. */
export class Simulator {
  readonly #lines: AsyncIterator<string>;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    lines: Interface,
  ) {
    this.#lines = lines[Symbol.asyncIterator]();
  }

  /** `count` hosts on `port`, logging to `log`; `root` is the package root (tsx resolves from it). */
  static async start(options: {
    count: number;
    port: number;
    user: string;
    files: SimulatorFiles;
    log: string;
    root: string;
  }): Promise<{ sim: Simulator; endpoints: Endpoint[] }> {
    const { count, port, user, files, log, root } = options;
    const child = spawn(
      'bash',
      withFdLimit(count, [
        process.execPath,
        '--import',
        'tsx',
        join(import.meta.dirname, 'sim-process.ts'),
        String(count),
        String(port),
        files.hostKey,
        files.userPub,
        user,
      ]),
      { cwd: root },
    );
    child.stderr.on('data', (chunk: Buffer) => appendFileSync(log, chunk));
    const sim = new Simulator(child, createInterface({ input: child.stdout }));
    const ready = (await sim.#next()) as { endpoints: Endpoint[] };
    return { sim, endpoints: ready.endpoints };
  }

  async #next(): Promise<unknown> {
    const line = await this.#lines.next();
    if (line.done) throw new Error(`the simulator exited (code ${this.child.exitCode}); see its log`);
    return JSON.parse(line.value) as unknown;
  }

  async send(command: string): Promise<unknown> {
    this.child.stdin.write(`${command}\n`);
    const answer = (await this.#next()) as { error?: string };
    if (answer.error) throw new Error(`simulator: ${answer.error}`);
    return answer;
  }

  async stats(): Promise<FleetStats & { cpuS: number }> {
    return (await this.send('stats')) as FleetStats & { cpuS: number };
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('exit\n');
    await exited;
  }
}
