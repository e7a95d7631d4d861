import type { Diagnostic } from '../input/diagnostics.js';
import { keyPathString, type KeyPath, type YamlSource } from '../input/yaml-source.js';
import { isFloatAt } from '../domain/tagged-values.js';
import { closest } from '../input/closest-word.js';
import { expandHostPattern, HostRangeError } from './host-pattern.js';
import type { InventoryData } from './inventory-data.js';
import { describeType, isPlainObject, type Origin, type VarValue } from './inventory-tree.js';

const SECTIONS = ['vars', 'children', 'hosts'];

/**
 * Ansible's YAML inventory plugin: every top-level key is a group with `hosts`, `children` and
 * `vars`; a string in place of a mapping means one entry; host keys may be ranges and carry a port.
 * Returns the problems that make the source unusable (then Ansible tries the INI plugin).
 */
export function parseYamlInventory(source: YamlSource, data: InventoryData): Diagnostic[] {
  const fatal: Diagnostic[] = [];
  const top = source.data;
  if (top === null || top === undefined || (isPlainObject(top) && Object.keys(top).length === 0)) {
    return [
      source.diagnostic([], 'the YAML inventory is empty', 'start with "all:" and its hosts and children'),
    ];
  }
  if (!isPlainObject(top)) {
    return [
      source.diagnostic(
        [],
        `a YAML inventory must be a mapping of groups, got ${describeType(top)}`,
        'start the file with "all:" and put "hosts:", "children:" and "vars:" under it',
      ),
    ];
  }
  if (top.plugin !== undefined && top.plugin !== null) {
    return [
      source.diagnostic(
        ['plugin'],
        `this is the configuration of Ansible's inventory plugin ${JSON.stringify(top.plugin)}, which apim-provision does not run`,
        `export the hosts it finds as a YAML inventory: ansible-inventory -i ${source.file} --list --yaml > inventory.yml`,
      ),
    ];
  }
  const parser = new GroupParser(source, data, fatal);
  for (const [name, value] of Object.entries(top)) {
    if (SECTIONS.includes(name)) {
      data.bag.push(
        source.diagnostic(
          [name],
          `"${name}" at the top level is read as a group named "${name}" (as Ansible does), not as the ${name} of all`,
          `indent it under "all:" (all.${name}) if that is what you meant`,
          'warning',
        ),
      );
    }
    parser.group(name, value, [name]);
  }
  return fatal;
}

class GroupParser {
  constructor(
    readonly source: YamlSource,
    readonly data: InventoryData,
    readonly fatal: Diagnostic[],
  ) {}

  #origin(path: KeyPath): Origin {
    return { source: this.source, path };
  }

  #error(path: KeyPath, message: string, fix: string): void {
    this.fatal.push(this.source.diagnostic(path, message, fix));
  }

  #warn(path: KeyPath, message: string, fix: string): void {
    this.data.bag.push(this.source.diagnostic(path, message, fix, 'warning'));
  }

  /** One group definition; false when Ansible skips it (then it cannot be a child). */
  group(name: string, value: unknown, path: KeyPath): boolean {
    if (this.source.nonStringKeys.has(keyPathString(path)) || name === '') {
      this.#error(path, `group name ${name || '""'} must be a string`, 'quote the group name or rename it');
      return false;
    }
    if (value !== null && value !== undefined && !isPlainObject(value)) {
      this.#warn(
        path,
        `"${name}" is skipped: a group must be a mapping with "hosts", "children" or "vars", got ${describeType(value)} (Ansible skips it too)`,
        `write "${name}:" followed by an indented "hosts:" mapping of host names`,
      );
      return false;
    }
    this.data.addGroup(name, this.#origin(path));
    if (!value) return true;
    for (const [key, raw] of Object.entries(value)) {
      const at = [...path, key];
      const section = typeof raw === 'string' && SECTIONS.includes(key) ? { [raw]: null } : raw;
      if (SECTIONS.includes(key) && section !== null && section !== undefined && !isPlainObject(section)) {
        this.#error(
          at,
          `"${key}" of group "${name}" must be a mapping, got ${describeType(section)}`,
          key === 'hosts'
            ? 'write each host as "name:" (optionally followed by its variables), not as a list item "- name"'
            : key === 'children'
              ? 'write each child group as "name:" followed by its own "hosts:"/"children:"/"vars:"'
              : 'write one "name: value" pair per line under "vars:"',
        );
        continue;
      }
      if (!SECTIONS.includes(key)) {
        const near = closest(key, SECTIONS);
        if (near)
          this.#error(
            at,
            `unknown key "${key}" in group "${name}": did you mean "${near}"?`,
            `rename it to "${near}"`,
          );
        else
          this.#warn(
            at,
            `key "${key}" in group "${name}" is skipped (as Ansible does): only "hosts", "children" and "vars" are read`,
            'move it under "vars:" if it is a variable',
          );
        continue;
      }
      if (section === null || section === undefined) continue;
      const entries = section as Record<string, unknown>;
      if (key === 'vars') {
        for (const v of Object.keys(entries))
          this.data.setGroupVariable(name, v, this.#value(entries, v, [...at, v]));
      } else if (key === 'children') {
        for (const [child, def] of Object.entries(entries)) {
          const childPath = [...at, child];
          if (this.group(child, def, childPath) || this.data.groups.has(child))
            this.data.addChild(name, child, this.#origin(childPath));
          else
            this.#error(
              childPath,
              `child group "${child}" of "${name}" is not defined`,
              'define it as a mapping',
            );
        }
      } else this.#hosts(name, entries, at);
    }
    return true;
  }

  #hosts(group: string, hosts: Record<string, unknown>, path: KeyPath): void {
    for (const [pattern, vars] of Object.entries(hosts)) {
      const at = [...path, pattern];
      if (this.source.nonStringKeys.has(keyPathString(at))) {
        this.#error(
          at,
          `host pattern ${pattern} must be a string`,
          `enclose it in quotation marks: "${pattern}":`,
        );
        continue;
      }
      if (vars !== null && vars !== undefined && !isPlainObject(vars)) {
        this.#error(
          at,
          `host "${pattern}" must be followed by a mapping of its variables (or nothing), got ${describeType(vars)}`,
          `write "${pattern}:" and indent "ansible_host: <address>" etc. under it`,
        );
        continue;
      }
      let expanded: { names: string[]; port?: number };
      try {
        expanded = expandHostPattern(pattern);
      } catch (err) {
        if (!(err instanceof HostRangeError)) throw err;
        this.#error(
          at,
          `host range "${pattern}": ${err.message}`,
          'write a range as name[01:10] or name[a:f], optionally with a step name[1:10:2]',
        );
        continue;
      }
      for (const host of expanded.names) {
        const record = this.data.addHost(host, group, expanded.port, this.#origin(at));
        if (!vars) continue;
        for (const v of Object.keys(vars)) record.vars.set(v, this.#value(vars, v, [...at, v]));
      }
    }
  }

  #value(container: Record<string, unknown>, key: string, path: KeyPath): VarValue {
    const v: VarValue = { value: container[key], origin: this.#origin(path) };
    if (isFloatAt(container, key)) v.float = true;
    if (this.source.fromVault) v.secret = true;
    return v;
  }
}
