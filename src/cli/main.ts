import yargs, { type Argv } from 'yargs';
import { packageVersion } from '../playbook/default-path.js';
import { EXIT, ReporterLoadError, sanitiseText } from '../report/index.js';
import { guardClosedOutput } from './closed-output.js';
import { applyCommand } from './commands/apply.js';
import { certsCommand } from './commands/certs.js';
import { graphCommand } from './commands/graph.js';
import { inventoryCommand } from './commands/inventory.js';
import { labCommand } from './commands/lab.js';
import { renderCommand } from './commands/render.js';
import { rollbackCommand } from './commands/rollback.js';
import { validateCommand } from './commands/validate.js';
import { InterruptedError, UsageError } from './usage-error.js';

/** Options whose value `-` means stdout: yargs reads a lone `-` as a positional (the playbook). */
const STDOUT_OPTIONS = new Set(['--json']);

/** `--json -` becomes `--json=-`, as README documents both. */
function stdoutDashes(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if (STDOUT_OPTIONS.has(arg) && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** The part of yargs' internals that renders a command's help text ahead of need. */
interface EagerHelp {
  getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } };
}

/**
 * yargs (17 and 18) renders the running command's whole help text as it starts the handler, so
 * that a handler calling showHelp() later still gets it: ~40 ms of layout and string widths on
 * every run. No handler here shows help (a usage error points to --help), and --help itself runs
 * no handler, so that rendering is skipped.
 */
export function withoutEagerHelp<T>(cli: Argv<T>): Argv<T> {
  (cli as unknown as EagerHelp).getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  return cli;
}

/** Runs the CLI and returns the process exit code (documented in README). */
export async function main(argv: string[]): Promise<number> {
  guardClosedOutput();
  let code: number = EXIT.OK;
  const setCode = (c: number) => {
    code = c;
  };
  try {
    await withoutEagerHelp(yargs(stdoutDashes(argv)))
      .scriptName('apim-provision')
      .usage('$0 <command> [options]\n\nNGINX load balancers for WSO2 API Manager, over SSH.')
      .command(validateCommand(setCode))
      .command(inventoryCommand(setCode))
      .command(renderCommand(setCode))
      .command(graphCommand(setCode))
      .command(certsCommand(setCode))
      .command(applyCommand(setCode))
      .command(rollbackCommand(setCode))
      .command(labCommand(setCode, main))
      .demandCommand(1, 'Name a command: validate, inventory, render, graph, certs, apply, rollback or lab.')
      .strict()
      .recommendCommands()
      .help()
      .alias('h', 'help')
      .version(packageVersion())
      .wrap(Math.min(110, process.stdout.columns || 100))
      .fail((message, error) => {
        if (error) throw error;
        throw new UsageError(message);
      })
      .parseAsync();
  } catch (err) {
    if (err instanceof InterruptedError) {
      process.stderr.write(`apim-provision: interrupted: ${sanitiseText(err.message)}\n`);
      return EXIT.INTERRUPTED;
    }
    if (err instanceof UsageError) {
      process.stderr.write(
        `apim-provision: ${sanitiseText(err.message)}\nRun 'apim-provision --help' for usage.\n`,
      );
      return EXIT.USAGE;
    }
    if (err instanceof ReporterLoadError) {
      process.stderr.write(`apim-provision: ${sanitiseText(err.message)}\n`);
      return EXIT.UNEXPECTED;
    }
    process.stderr.write(
      `apim-provision: unexpected error: ${sanitiseText((err as Error).stack ?? String(err))}\n`,
    );
    return EXIT.UNEXPECTED;
  }
  return code;
}
