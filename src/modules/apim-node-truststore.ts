import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { inspectCertificate } from '../certs/index.js';
import type { ApimNode, LoadBalancer } from '../domain/types.js';
import { pemSha256, readTruststore, TRUSTSTORE_ALIAS } from '../nodes/index.js';
import { defineModule, failure, nothingToDo, type Action, type ModuleContext } from './contract.js';
import { nodeRuntime } from './apim-node.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The certificate a node must trust for each load balancer in front of it: the local CA that signs
 * the generated certificates, or the top of the given chain (certificate file, then chain file).
 */
function trustAnchors(ctx: ModuleContext, node: ApimNode): { pems: string[]; warnings: string[] } {
  const pems: string[] = [];
  const warnings: string[] = [];
  const lbs = node.plan.loadBalancers
    .map((name) => ctx.inventory.loadBalancers.find((lb) => lb.host.name === name))
    .filter((lb): lb is LoadBalancer => lb !== undefined);
  for (const lb of lbs) {
    const tls = lb.tls;
    let pem: string | undefined;
    if (tls.mode === 'generate') {
      if (tls.useCa) pem = ctx.localCa().certPem;
      else
        warnings.push(
          `load balancer ${lb.host.name} self-signs its certificate (tls_use_ca: false): no CA can be given to the nodes, so their calls through its names will not verify (use tls_use_ca: true)`,
        );
    } else {
      const text = [tls.certificateFile, ...(tls.chainFile ? [tls.chainFile] : [])]
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      pem = text.match(PEM_BLOCK)?.at(-1);
    }
    if (pem && !pems.some((p) => pemSha256(p) === pemSha256(pem))) pems.push(`${pem.trim()}\n`);
  }
  return { pems, warnings };
}

/**
 * `apim_node_truststore`: the load balancers' CA in the node's client-truststore.jks under the
 * tool's alias (`apim-provision-lb-ca`, then `-2`, ... for further CAs), imported with keytool on
 * the node, so that node-to-node calls through the load balancer's names verify. Other aliases are
 * never touched; the store keeps its owner and mode.
 */
export const apimNodeTruststore = defineModule({
  name: 'apim_node_truststore',
  summary: "The load balancers' CA in an API-M node's truststore (keytool, under the tool's alias).",
  runs: 'staged',
  transaction: 'apim-node',
  args: () => z.strictObject({}),
  needs(ctx) {
    const rt = nodeRuntime(ctx);
    if (typeof rt === 'string') return {};
    const path = rt.truststore.path;
    return {
      queries: [
        { kind: 'file', path },
        { kind: 'content', path },
      ],
    };
  },
  plan(ctx) {
    const rt = nodeRuntime(ctx);
    if (typeof rt === 'string') return failure(rt);
    const { pems, warnings } = trustAnchors(ctx, rt.node);
    warnings.unshift(...rt.truststoreWarnings);
    if (pems.length === 0) return { ...nothingToDo('no CA to import'), warnings };
    const { path, type, password } = rt.truststore;
    const content = ctx.facts.contents[path];
    const fact = ctx.facts.files[path];
    if (!content || !fact?.exists || fact.type !== 'file')
      return failure(
        `the truststore ${path} is missing on the node (set [truststore] file_name, or create it)`,
      );
    const entries = readTruststore(content, type, password.reveal());
    if ('error' in entries)
      return failure(`the truststore ${path}: ${entries.error}; set apim_truststore_password for this node`);
    if (!rt.keytool)
      return failure(
        'keytool was not found on the node (not on PATH, not next to the running Java): set apim_keytool to its path',
      );
    const actions: Action[] = [];
    pems.forEach((pem, i) => {
      const alias = i === 0 ? TRUSTSTORE_ALIAS : `${TRUSTSTORE_ALIAS}-${i + 1}`;
      if (entries.get(alias)?.sha256 === pemSha256(pem)) return;
      actions.push({
        kind: 'stage-keystore',
        entry: {
          path,
          alias,
          storeType: type,
          certificatePem: pem,
          certificate: inspectCertificate(pem),
          password,
          keytool: rt.keytool!,
        },
      });
    });
    return { changes: [], actions, warnings };
  },
});
