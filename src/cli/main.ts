import yargs from 'yargs';
import { EXIT, sanitiseText } from '../report/index.js';
import { applyCommand } from './commands/apply.js';
import { certsCommand } from './commands/certs.js';
import { graphCommand } from './commands/graph.js';
import { inventoryCommand } from './commands/inventory.js';
import { labCommand } from './commands/lab.js';
import { renderCommand } from './commands/render.js';
import { rollbackCommand } from './commands/rollback.js';
import { validateCommand } from './commands/validate.js';
import { UsageError } from './usage-error.js';

/** Runs the CLI and returns the process exit code (documented in README). */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.OK;
  const setCode = (c: number) => {
    code = c;
  };
  try {
    await yargs(argv)
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
      .version()
      .wrap(Math.min(110, process.stdout.columns || 100))
      .fail((message, error) => {
        if (error) throw error;
        throw new UsageError(message);
      })
      .parseAsync();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `apim-provision: ${sanitiseText(err.message)}\nRun 'apim-provision --help' for usage.\n`,
      );
      return EXIT.USAGE;
    }
    process.stderr.write(
      `apim-provision: unexpected error: ${sanitiseText((err as Error).stack ?? String(err))}\n`,
    );
    return EXIT.UNEXPECTED;
  }
  return code;
}
