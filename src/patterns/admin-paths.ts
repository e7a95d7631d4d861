import type { Deployment } from '../domain/types.js';
import { ADMIN_PATHS } from './layouts.js';
import { annotated, block, comment, directive, literal, type ConfNode } from './nginx-conf.js';

/** Non-empty (true for `if`) when the request is for an admin path from outside the allow-list. */
export const ADMIN_REFUSED_VAR = '$apim_admin_refused';

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The admin paths of a version as one case-insensitive regex over the normalised URI, also under
 * the custom context path. A path ends at `/`, at the end, or at `;` (Tomcat strips `;params`
 * from a segment, so `/carbon;x/` still reaches the console).
 */
export function adminPathRegex(d: Deployment): string {
  const context = d.proxyContextPath ? `(?:${regexEscape(d.proxyContextPath)})?` : '';
  const paths = ADMIN_PATHS[d.version].map(regexEscape).join('|');
  return `~*^${context}/(?:${paths})(?:/|;|$)`;
}

/**
 * The allow-list as a `geo` (the API-M nodes included: in distributed layouts they call
 * `https://<lb name>/services/` themselves) and the maps behind `$apim_admin_refused`. `..;` is
 * refused too: Tomcat reads `/x/..;/carbon/` as `/carbon/` while nginx sees another path.
 */
export function adminRestriction(d: Deployment, nodes: { address: string; node: string }[]): ConfNode[] {
  const allow = d.adminAllow ?? [];
  const networks = [
    ...allow.map((a) => directive(literal(a, 'apim_admin_allow entry'), '1')),
    ...nodes
      .filter((n) => !allow.includes(n.address))
      .map((n) => annotated(`API-M node ${n.node}`, literal(n.address, 'node address'), '1')),
  ];
  return [
    comment(
      `Admin paths (${ADMIN_PATHS[d.version].map((p) => `/${p}`).join(', ')}): 403 outside apim_admin_allow and the API-M nodes`,
    ),
    block('geo', ['$apim_admin_network'], [directive('default', '0'), ...networks]),
    block(
      'map',
      ['$uri', '$apim_admin_path'],
      [directive('default', '0'), directive(`"${adminPathRegex(d)}"`, '1'), directive('"~\\.\\.;"', '1')],
    ),
    block(
      'map',
      ['$apim_admin_path$apim_admin_network', ADMIN_REFUSED_VAR],
      [directive('default', '0'), directive('10', '1')],
    ),
  ];
}
