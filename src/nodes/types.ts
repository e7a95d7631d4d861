import type { ApimVersion, ComponentRole, HostnameKey } from '../domain/types.js';

/** A scalar a node setting takes (TOML string/integer/boolean, XML text or attribute, JSON value). */
export type SettingValue = string | number | boolean;

/**
 * Where a setting lives in a TOML file. `table` is the table's key path (`['server']`); an array of
 * tables (`[[apim.gateway.environment]]`) is picked with `element`, and `subTable` then reaches a table
 * of that element (`[event_listener.properties]`).
 */
export interface TomlKeyRef {
  format: 'toml';
  table: string[];
  element?: TomlElementSelector;
  subTable?: string[];
  key: string[];
}

/**
 * Which elements of an array of tables a setting applies to: the first one, or those whose `key`
 * equals `equals`. `create` is what a new element holds when the file has none (keys in order).
 */
export interface TomlElementSelector {
  select: 'first' | { key: string; equals: string };
  create?: Array<[string, SettingValue]>;
}

/** One step of an XML element path from the root: a name, optionally with attribute values. */
export interface XmlStep {
  name: string;
  where?: Record<string, string>;
}

/**
 * Where a setting lives in an XML file: an element's text, or one of its attributes. A missing text
 * element is created under its parent, after the first `after` sibling found (else first child).
 */
export interface XmlKeyRef {
  format: 'xml';
  element: XmlStep[];
  attribute?: string;
  after?: string[];
}

/** Where a setting lives in a JSON-with-comments file (the 2.6 portals' site.json). */
export interface JsoncKeyRef {
  format: 'jsonc';
  path: string[];
}

export type SettingKey = TomlKeyRef | XmlKeyRef | JsoncKeyRef;
export type FileFormat = SettingKey['format'];

/** Why a setting has its value: the WSO2 page it comes from and what it is for. */
export interface SettingReason {
  /** Short name of the docs page, see docs/nodes.md (e.g. `LB-4`, `DIST-3`). */
  doc: string;
  why: string;
}

/** One value a node's file must hold so that the node agrees with its load balancer. */
export interface NodeSetting {
  key: SettingKey;
  value: SettingValue;
  reason: SettingReason;
}

/** The settings of one file of a node, relative to the node's carbon home. */
export interface NodeFilePlan {
  /** e.g. `repository/conf/deployment.toml`. */
  path: string;
  format: FileFormat;
  settings: NodeSetting[];
  /** A file that may be absent on a node (a portal the node's profile does not run): skipped then. */
  optional: boolean;
}

/**
 * The public hostname and proxy port a node is configured with, and the load balancer name it comes
 * from (what the graph shows under the node).
 */
export interface NodeProxySetting {
  hostname: string;
  proxyPort: number;
}

/** The load balancer's CA goes into this truststore under the tool's alias. */
export interface TruststorePlan {
  path: string;
  alias: string;
}

/** Everything one API-M node must be told about the load balancers that front it. */
export interface NodeConfigPlan {
  /** Inventory host name. */
  node: string;
  version: ApimVersion;
  /** Every role group the node is in, in the inventory's role order. */
  roles: ComponentRole[];
  /** Load balancers (inventory names) whose plan the settings come from. */
  loadBalancers: string[];
  /** Undefined when no load balancer serves the node's servlet or gateway ports. */
  proxy?: NodeProxySetting;
  /** Hostname keys of the load balancer that reach this node. */
  servedBy: HostnameKey[];
  files: NodeFilePlan[];
  truststore: TruststorePlan;
  /** Things the user should know (URLs the load balancer does not serve, skipped settings). */
  warnings: string[];
}
