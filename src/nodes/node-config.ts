import type { ApimVersion } from '../domain/types.js';
import { NodeFileError } from './edit-result.js';
import { NODE_FILES } from './node-files.js';
import { readToml } from './toml-edit.js';
import { readXmlText } from './xml-edit.js';

/** What a node's own configuration says about where it listens and which truststore it uses. */
export interface NodeOwnConfig {
  /** `[server] offset` (3.x/4.x) or `Ports/Offset` (2.6); 0 when unset. */
  offset: number;
  /** The truststore, relative to the carbon home. */
  truststore: string;
  truststoreType: 'JKS' | 'PKCS12';
  /** The password the node opens it with, when written in the clear. */
  truststorePassword?: string;
}

const SECURITY_DIR = 'repository/resources/security';

/** A value that is a plain password, not a Carbon secret reference or placeholder. */
function plain(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || /^\$secret\{|\$\{/.test(value)) return undefined;
  return value;
}

function storeType(value: unknown): 'JKS' | 'PKCS12' {
  return typeof value === 'string' && /^pkcs12$/i.test(value) ? 'PKCS12' : 'JKS';
}

/**
 * Reads the node's offset and truststore from its main configuration file's text: deployment.toml
 * (3.x/4.x `[server] offset`, `[truststore]`) or carbon.xml (2.6 `Ports/Offset`,
 * `Security/TrustStore`). Throws NodeFileError when the file does not parse.
 */
export function nodeOwnConfig(version: ApimVersion, text: string): NodeOwnConfig {
  if (version !== '2.6') {
    const conf = readToml(NODE_FILES.deploymentToml, text);
    const section = (name: string): Record<string, unknown> => {
      const v = conf[name];
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    };
    const server = section('server');
    const trust = section('truststore');
    const offset = Number(server.offset ?? 0);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new NodeFileError(
        NODE_FILES.deploymentToml,
        `[server] offset ${JSON.stringify(server.offset)} is not a port offset`,
      );
    }
    const fileName = typeof trust.file_name === 'string' ? trust.file_name : 'client-truststore.jks';
    const password = plain(trust.password);
    return {
      offset,
      truststore: fileName.startsWith('/') ? fileName : `${SECURITY_DIR}/${fileName}`,
      truststoreType: storeType(trust.type),
      ...(password ? { truststorePassword: password } : {}),
    };
  }
  const file = NODE_FILES.carbonXml;
  const at = (...names: string[]) =>
    readXmlText(file, text, [{ name: 'Server' }, ...names.map((name) => ({ name }))]);
  const offsetText = at('Ports', 'Offset') ?? '0';
  const offset = Number(offsetText || '0');
  if (!Number.isInteger(offset) || offset < 0)
    throw new NodeFileError(file, `Ports/Offset ${JSON.stringify(offsetText)} is not a port offset`);
  const location = at('Security', 'TrustStore', 'Location')?.replace(/^\$\{carbon\.home\}\/?/, '');
  const password = plain(at('Security', 'TrustStore', 'Password'));
  return {
    offset,
    truststore: location || NODE_FILES.truststore,
    truststoreType: storeType(at('Security', 'TrustStore', 'Type')),
    ...(password ? { truststorePassword: password } : {}),
  };
}
