import { writeFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import type { ApimNode, Inventory, LoadBalancer } from '../../domain/types.js';
import { EXPECTED_NGINX } from '../../patterns/index.js';
import {
  buildGraph,
  configuredNodes,
  formatOfFile,
  GRAPH_FILE_EXTENSIONS,
  GRAPH_FORMATS,
  plannedNginx,
  renderGraph,
  withRunChanges,
  type DeploymentGraph,
  type GraphFormat,
  type PlannedNginxView,
  type RunOutcome,
} from '../../graph/index.js';
import { EXIT, type Redactor } from '../../report/index.js';
import { offlineLoadBalancers, offlineOptions, type OfflineArgs } from '../offline-load-balancers.js';
import { checkOutputFile } from '../output-path.js';
import { UsageError } from '../usage-error.js';
import { renderFor } from './render.js';

interface Args extends OfflineArgs {
  format?: GraphFormat;
  out?: string;
  'nginx-version': string;
}

/**
 * The picture of some load balancers, drawn offline from exactly what `render` writes for them:
 * the same edition decision and pattern plan, for an nginx version assumed, not read from a host;
 * after a run, each from what the run planned on its host where it did.
 */
export function offlineGraph(
  title: string,
  lbs: readonly LoadBalancer[],
  nginxVersion: string,
  apimNodes: readonly ApimNode[] = [],
  planned: (lb: LoadBalancer) => PlannedNginxView | undefined = () => undefined,
) {
  const warnings: { host: string; message: string }[] = [];
  const graph = buildGraph(
    title,
    lbs.map((lb) => {
      const p = planned(lb);
      if (p) {
        return {
          lb,
          decision: p.decision,
          nginx: { version: p.version, known: p.versionKnown },
          confPath: p.confPath,
        };
      }
      const { decision, rendered } = renderFor(lb, nginxVersion);
      for (const message of [...decision.warnings, ...rendered.warnings])
        warnings.push({ host: lb.host.name, message });
      return { lb, decision, nginx: { version: nginxVersion, known: false }, confPath: rendered.path };
    }),
    configuredNodes(apimNodes),
  );
  return { graph, warnings };
}

/** The file format `--graph FILE` asks for; a usage error before anything runs when there is none. */
export function graphFileFormat(file: string): GraphFormat {
  const format = formatOfFile(file);
  if (!format) {
    throw new UsageError(
      `--graph ${file}: name the picture file ${GRAPH_FILE_EXTENSIONS.join(', ')} (SVG, Mermaid or Graphviz DOT)`,
    );
  }
  return format;
}

async function writeGraph(file: string, text: string): Promise<boolean> {
  try {
    await writeFile(file, text, { encoding: 'utf8', mode: 0o644 });
    return true;
  } catch (err) {
    process.stderr.write(`apim-provision: cannot write the picture to ${file}: ${(err as Error).message}\n`);
    return false;
  }
}

/**
 * `apply --graph FILE`: the inventory's picture with what the run changed (or, with --check, would
 * change) highlighted, scrubbed of secrets like every other output. False when it cannot be written.
 */
export async function writeRunGraph(
  file: string,
  inventory: Inventory,
  title: string,
  run: RunOutcome,
  redactor: Redactor,
): Promise<boolean> {
  // What the run planned on each host (edition, version, file); assumed where it got no plan.
  const { graph } = offlineGraph(
    title,
    inventory.loadBalancers,
    EXPECTED_NGINX.distro,
    inventory.apimNodes,
    (lb) => plannedNginx(run, lb.host.name),
  );
  const scrub = (text: string) => redactor.scrub(text);
  return writeGraph(file, await renderGraph(withRunChanges(graph, run, scrub), graphFileFormat(file)));
}

function formatOf(args: Args): GraphFormat {
  if (args.format) return args.format;
  if (!args.out || !/\.[^./]+$/.test(args.out)) return 'svg';
  const format = formatOfFile(args.out);
  if (!format) {
    throw new UsageError(
      `--out ${args.out}: name the file ${GRAPH_FILE_EXTENSIONS.join(', ')}, or say which format with --format`,
    );
  }
  return format;
}

async function draw(graph: DeploymentGraph, args: Args): Promise<number> {
  const format = formatOf(args);
  const text = await renderGraph(graph, format);
  if (!args.out) {
    process.stdout.write(text);
    return EXIT.OK;
  }
  if (!(await writeGraph(args.out, text))) return EXIT.USAGE;
  process.stderr.write(`wrote ${args.out} (${format}, ${graph.loadBalancers.length} load balancer(s))\n`);
  return EXIT.OK;
}

export function graphCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'graph [inv]',
    describe:
      'Draw the deployment: public hostnames, load balancers, upstream pools, API-M nodes; contacts no host',
    builder: (y) =>
      offlineOptions(y)
        .option('format', {
          choices: GRAPH_FORMATS,
          describe: 'svg (default, or from the --out extension), mermaid (Markdown) or dot (Graphviz)',
        })
        .option('out', { type: 'string', describe: 'write the picture to this file instead of stdout' })
        .option('nginx-version', {
          type: 'string',
          default: EXPECTED_NGINX.distro,
          describe: 'nginx version the picture assumes, as for render (open-source sticky from 1.29.6)',
        })
        .check((a) => {
          if (!/^\d+\.\d+\.\d+$/.test(a['nginx-version']))
            throw new UsageError(`--nginx-version must look like 1.22.1, not '${a['nginx-version']}'`);
          formatOf(a);
          if (a.out !== undefined) checkOutputFile(a.out, '--out');
          return true;
        }),
    handler: async (args) => {
      const found = await offlineLoadBalancers(args);
      if (typeof found === 'number') return setCode(found);
      const { graph, warnings } = offlineGraph(
        found.sources.join(', '),
        found.loadBalancers,
        args['nginx-version'],
        found.apimNodes,
      );
      for (const w of warnings) process.stderr.write(`[WARNING] ${w.host}: ${w.message}\n`);
      setCode(await draw(graph, args));
    },
  };
}
