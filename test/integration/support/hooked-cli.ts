/**
 * The CLI with the transaction's test-only pause in place (test/support/pause-hook.ts): the fault
 * suite runs this entry instead of bin/apim-provision.js when it needs to pause a transaction
 * after its snapshot. The shipped CLI has no hook and no environment variable for one: this entry
 * fills the marker in the script registry before the CLI starts. Run with `node --import tsx`.
 */
import { main } from '../../../src/cli/main.js';
import { scriptSource, scriptSources } from '../../../src/remote/index.js';
import { withPause } from '../../support/pause-hook.js';

scriptSources.set('transaction', withPause(scriptSource('transaction')));
process.exitCode = await main(process.argv.slice(2));
