import type { NodeConfigPlan, NodeSetting, SettingValue, TomlKeyRef } from '../domain/types.js';
import { NODE_FILES } from './node-files.js';
import { settingKeyLabel } from './setting-label.js';

/**
 * A deployment.toml value set by hand for one node (`apim_node_settings`): a dotted key path
 * (`server.hostname`, `transport.https.properties.proxyPort`) and its value.
 */
export interface HandSetting {
  path: string[];
  value: SettingValue;
}

export interface HandSettingProblem {
  /** Index of the hand setting the problem is about. */
  index: number;
  message: string;
  fix: string;
  severity: 'error' | 'warning';
}

const HOSTNAME_LABEL = '[server] hostname';

function keyOf(path: string[]): TomlKeyRef {
  return { format: 'toml', table: path.slice(0, -1), key: path.slice(-1) };
}

/**
 * The node's plan with the hand settings added. A hand setting may name a key the tool does not
 * derive (it is then written like the derived ones), repeat a derived value, or choose the node's
 * `[server] hostname` among the names the load balancers serve for it; any other difference from
 * what the load balancers need is a conflict, and so is a hostname they do not serve for this node.
 * `served`: every public name whose server block reaches the node.
 */
export function withHandSettings(
  plan: NodeConfigPlan,
  hand: readonly HandSetting[],
  served: readonly string[],
): { plan: NodeConfigPlan; problems: HandSettingProblem[] } {
  const problems: HandSettingProblem[] = [];
  if (hand.length === 0) return { plan, problems };
  if (plan.version === '2.6') {
    hand.forEach((_, index) =>
      problems.push({
        index,
        message: `apim_node_settings sets deployment.toml keys, but ${plan.node} is an API-M 2.6 node (carbon.xml and friends)`,
        fix: 'remove apim_node_settings for 2.6 nodes',
        severity: 'error',
      }),
    );
    return { plan, problems };
  }
  const files = plan.files.map((f) => ({ ...f, settings: [...f.settings] }));
  let toml = files.find((f) => f.path === NODE_FILES.deploymentToml);
  if (!toml) {
    toml = { path: NODE_FILES.deploymentToml, format: 'toml', settings: [], optional: false };
    files.push(toml);
  }
  let proxy = plan.proxy;
  hand.forEach((h, index) => {
    const key = keyOf(h.path);
    const label = settingKeyLabel(key);
    const at = toml.settings.findIndex(
      (s) => s.key.format === 'toml' && !s.key.element && settingKeyLabel(s.key) === label,
    );
    const derived = at >= 0 ? toml.settings[at] : undefined;
    if (!derived) {
      const setting: NodeSetting = {
        key,
        value: h.value,
        reason: { doc: 'apim_node_settings', why: 'set by hand in the inventory' },
      };
      toml.settings.push(setting);
      return;
    }
    if (derived.value === h.value) return;
    if (label === HOSTNAME_LABEL) {
      if (typeof h.value === 'string' && served.includes(h.value)) {
        toml.settings[at] = {
          ...derived,
          value: h.value,
          reason: {
            doc: 'apim_node_settings',
            why: 'chosen by hand among the names the load balancer serves for this node',
          },
        };
        proxy = proxy ? { ...proxy, hostname: h.value } : proxy;
        return;
      }
      problems.push({
        index,
        message: `apim_node_settings sets ${label} = ${JSON.stringify(h.value)}, a name the load balancer does not serve for ${plan.node} (it serves ${served.join(', ') || 'no name'} for it)`,
        fix: `use one of ${served.join(', ') || 'the load balancer names'}, or serve that name (apim_hostnames), or remove the setting`,
        severity: 'error',
      });
      return;
    }
    problems.push({
      index,
      message: `apim_node_settings sets ${label} = ${JSON.stringify(h.value)}, but the load balancer in front of ${plan.node} needs ${JSON.stringify(derived.value)} (${derived.reason.why})`,
      fix: `remove it: the tool derives ${label} from the load balancer's settings (${derived.reason.doc}), so both sides agree`,
      severity: 'error',
    });
  });
  return { plan: { ...plan, files, ...(proxy ? { proxy } : {}) }, problems };
}
