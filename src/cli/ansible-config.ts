import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileDiagnostic, type Diagnostic } from '../input/diagnostics.js';
import { pathKind } from '../input/path-kind.js';
import { readInputFile } from '../input/read-input-file.js';

/**
 * The ansible.cfg settings and ANSIBLE_* environment variables apim-provision honours, with
 * Ansible's order: the command line beats the environment, which beats ansible.cfg. (The
 * inventory's own variables beat all three; -e beats the inventory.)
 */
export interface AnsibleSettings {
  /** The ansible.cfg read, if any. */
  file?: string;
  inventory?: string[];
  remoteUser?: Setting<string>;
  remotePort?: Setting<number>;
  privateKeyFile?: Setting<string>;
  timeout?: Setting<number>;
  forks?: Setting<number>;
  become?: Setting<boolean>;
  becomeUser?: Setting<string>;
  becomeAskPass?: Setting<boolean>;
  askVaultPass?: Setting<boolean>;
  vaultPasswordFile?: Setting<string>;
  vaultIdentityList?: Setting<string[]>;
  diagnostics: Diagnostic[];
}

export interface Setting<T> {
  value: T;
  /** "ANSIBLE_REMOTE_USER" or "ansible.cfg [defaults] remote_user". */
  from: string;
}

type IniData = Map<string, Map<string, { value: string; line: number }>>;

const problem = (
  file: string,
  line: number,
  message: string,
  fix: string,
  severity: Diagnostic['severity'] = 'error',
) => fileDiagnostic(file, message, fix, severity, line);

/**
 * Python's configparser as Ansible uses it: `key = value` or `key: value`, keys lower-cased,
 * `#`/`;` comment lines, `;` inline comments after white space, indented continuation lines,
 * [DEFAULT] for every section, %(name)s interpolation and %% for a percent sign.
 */
export function parseConfigParser(file: string, text: string, diagnostics: Diagnostic[]): IniData {
  const sections: IniData = new Map();
  let current: Map<string, { value: string; line: number }> | undefined;
  let last: { value: string; line: number } | undefined;
  let lastIndent = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const indent = raw.length - raw.trimStart().length;
    const stripped = raw.trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) return;
    const content = stripped.replace(/\s;.*$/, '').trimEnd();
    if (last && indent > lastIndent) {
      last.value += `\n${content}`;
      return;
    }
    const section = /^\[([^\]]+)\]$/.exec(content);
    if (section) {
      const name = section[1]!;
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      last = undefined;
      return;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(content);
    if (!m || !current) {
      diagnostics.push(
        problem(
          file,
          line,
          current ? `not a "key = value" line: ${content}` : 'a setting before any [section]',
          'fix the line (Python configparser syntax)',
        ),
      );
      return;
    }
    last = { value: m[2]!, line };
    lastIndent = indent;
    current.set(m[1]!.toLowerCase(), last);
  });
  return sections;
}

function interpolate(
  file: string,
  data: IniData,
  section: string,
  key: string,
  diagnostics: Diagnostic[],
): { value: string; line: number } | undefined {
  const own = data.get(section)?.get(key) ?? data.get('DEFAULT')?.get(key);
  if (!own) return undefined;
  let bad = false;
  const value = own.value.replace(/%%|%\(([^)]+)\)s|%/g, (token, ref: string | undefined) => {
    if (token === '%%') return '%';
    if (ref !== undefined) {
      const target = data.get(section)?.get(ref.toLowerCase()) ?? data.get('DEFAULT')?.get(ref.toLowerCase());
      if (target) return target.value;
    }
    bad = true;
    return token;
  });
  if (bad) {
    diagnostics.push(
      problem(
        file,
        own.line,
        `[${section}] ${key}: "%" must be written %% (or %(name)s to use another setting)`,
        'write %% for a percent sign',
      ),
    );
    return undefined;
  }
  return { value, line: own.line };
}

/** Ansible's boolean(): yes/no, on/off, true/false, 1/0, y/n, t/f. */
export function ansibleBoolean(text: string): boolean | undefined {
  const w = text.trim().toLowerCase();
  if (['y', 'yes', 'on', '1', 'true', 't'].includes(w)) return true;
  if (['n', 'no', 'off', '0', 'false', 'f', ''].includes(w)) return false;
  return undefined;
}

/** Where Ansible looks for its configuration, first found wins. */
export function findConfigFile(
  env: NodeJS.ProcessEnv,
  cwd: string,
  diagnostics: Diagnostic[],
): string | undefined {
  const home = env.HOME ?? homedir();
  const fromEnv = env.ANSIBLE_CONFIG;
  const candidates: string[] = [];
  if (fromEnv) {
    const path = resolve(cwd, fromEnv.replace(/^~(?=\/|$)/, home));
    candidates.push(pathKind(path) === 'dir' ? join(path, 'ansible.cfg') : path);
  }
  const local = join(cwd, 'ansible.cfg');
  if (pathKind(local) !== undefined && worldWritable(cwd)) {
    diagnostics.push(
      problem(
        local,
        0,
        `ignored: the current folder ${cwd} is world-writable, and Ansible does not read an ansible.cfg there`,
        'move the settings to ~/.ansible.cfg or set ANSIBLE_CONFIG',
        'warning',
      ),
    );
  } else candidates.push(local);
  candidates.push(join(home, '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  return candidates.find((c) => pathKind(c) !== undefined);
}

function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

/** Settings Ansible users have that change what an inventory means: refused by name, never ignored. */
const REFUSED: { section: string; key: string; env: string; refuse: (v: string) => string | undefined }[] = [
  {
    section: 'defaults',
    key: 'hash_behaviour',
    env: 'ANSIBLE_HASH_BEHAVIOUR',
    refuse: (v) =>
      v.trim() === 'replace'
        ? undefined
        : 'hash_behaviour = merge is not supported (Ansible deprecates it): dictionaries replace each other',
  },
  {
    section: 'defaults',
    key: 'precedence',
    env: 'ANSIBLE_PRECEDENCE',
    refuse: () =>
      "a changed variable precedence (precedence) is not supported: apim-provision applies Ansible's default order",
  },
  {
    section: 'defaults',
    key: 'run_vars_plugins',
    env: 'ANSIBLE_RUN_VARS_PLUGINS',
    refuse: (v) =>
      v.trim() === 'demand'
        ? undefined
        : `run_vars_plugins = ${v.trim()} is not supported: group_vars/host_vars are read as with the default (demand)`,
  },
  {
    section: 'privilege_escalation',
    key: 'become_method',
    env: 'ANSIBLE_BECOME_METHOD',
    refuse: (v) =>
      v.trim() === 'sudo'
        ? undefined
        : `become_method = ${v.trim()} is not supported: apim-provision becomes root through sudo`,
  },
];

/** Reads ansible.cfg (Ansible's lookup order) and the ANSIBLE_* environment for the settings that apply. */
export function loadAnsibleSettings(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): AnsibleSettings {
  const diagnostics: Diagnostic[] = [];
  const file = findConfigFile(env, cwd, diagnostics);
  let data: IniData = new Map();
  if (file) {
    const read = readInputFile(file, 'ansible.cfg');
    if (read.diagnostic) diagnostics.push(read.diagnostic);
    else data = parseConfigParser(file, read.text, diagnostics);
  }
  const settings: AnsibleSettings = { diagnostics, ...(file ? { file } : {}) };
  const cfgDir = file ? dirname(file) : cwd;
  const home = env.HOME ?? homedir();
  const path = (text: string, base: string) => {
    const t = text.trim().replace(/^~(?=\/|$)/, home);
    return isAbsolute(t) ? t : resolve(base, t);
  };

  /** The value of a setting: the last environment variable set, else the last ini entry set. */
  const lookup = (
    envNames: string[],
    ini: [string, string][],
  ): { text: string; from: string; base: string; line: number } | undefined => {
    let found: { text: string; from: string; base: string; line: number } | undefined;
    for (const name of envNames) {
      const v = env[name];
      if (v !== undefined && v !== '') found = { text: v, from: name, base: cwd, line: 0 };
    }
    if (found) return found;
    for (const [section, key] of ini) {
      const v = file ? interpolate(file, data, section, key, diagnostics) : undefined;
      if (v) found = { text: v.value, from: `ansible.cfg [${section}] ${key}`, base: cfgDir, line: v.line };
    }
    return found;
  };
  const bad = (found: { from: string; line: number }, what: string) =>
    diagnostics.push(
      problem(
        found.line > 0 && file ? file : found.from,
        found.line,
        `${found.from} must be ${what}`,
        `correct ${found.from}`,
      ),
    );
  const int = (envNames: string[], ini: [string, string][], min: number): Setting<number> | undefined => {
    const f = lookup(envNames, ini);
    if (!f) return undefined;
    if (!/^\s*\d+\s*$/.test(f.text) || Number(f.text) < min) {
      bad(f, `a whole number of at least ${min}`);
      return undefined;
    }
    return { value: Number(f.text), from: f.from };
  };
  const bool = (envNames: string[], ini: [string, string][]): Setting<boolean> | undefined => {
    const f = lookup(envNames, ini);
    if (!f) return undefined;
    const b = ansibleBoolean(f.text);
    if (b === undefined) {
      bad(f, 'true or false');
      return undefined;
    }
    return { value: b, from: f.from };
  };
  const text = (envNames: string[], ini: [string, string][]): Setting<string> | undefined => {
    const f = lookup(envNames, ini);
    return f ? { value: f.text.trim(), from: f.from } : undefined;
  };
  const pathSetting = (envNames: string[], ini: [string, string][]): Setting<string> | undefined => {
    const f = lookup(envNames, ini);
    return f ? { value: path(f.text, f.base), from: f.from } : undefined;
  };

  const inventory = lookup(
    ['ANSIBLE_INVENTORY'],
    [
      ['defaults', 'hostfile'],
      ['defaults', 'inventory'],
    ],
  );
  if (inventory) {
    settings.inventory = inventory.text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => path(s, inventory.base));
  }
  const set = <K extends keyof AnsibleSettings>(key: K, value: AnsibleSettings[K] | undefined) => {
    if (value !== undefined) settings[key] = value;
  };
  set('remoteUser', text(['ANSIBLE_REMOTE_USER'], [['defaults', 'remote_user']]));
  set('remotePort', int(['ANSIBLE_REMOTE_PORT'], [['defaults', 'remote_port']], 1));
  set('privateKeyFile', pathSetting(['ANSIBLE_PRIVATE_KEY_FILE'], [['defaults', 'private_key_file']]));
  set(
    'timeout',
    int(
      ['ANSIBLE_TIMEOUT', 'ANSIBLE_SSH_TIMEOUT'],
      [
        ['defaults', 'timeout'],
        ['ssh_connection', 'timeout'],
      ],
      1,
    ),
  );
  set('forks', int(['ANSIBLE_FORKS'], [['defaults', 'forks']], 1));
  set('become', bool(['ANSIBLE_BECOME'], [['privilege_escalation', 'become']]));
  set('becomeUser', text(['ANSIBLE_BECOME_USER'], [['privilege_escalation', 'become_user']]));
  set('becomeAskPass', bool(['ANSIBLE_BECOME_ASK_PASS'], [['privilege_escalation', 'become_ask_pass']]));
  set('askVaultPass', bool(['ANSIBLE_ASK_VAULT_PASS'], [['defaults', 'ask_vault_pass']]));
  set(
    'vaultPasswordFile',
    pathSetting(['ANSIBLE_VAULT_PASSWORD_FILE'], [['defaults', 'vault_password_file']]),
  );
  const ids = lookup(['ANSIBLE_VAULT_IDENTITY_LIST'], [['defaults', 'vault_identity_list']]);
  if (ids) {
    settings.vaultIdentityList = {
      value: ids.text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      from: ids.from,
    };
  }
  const hostKeyChecking = bool(
    ['ANSIBLE_HOST_KEY_CHECKING', 'ANSIBLE_SSH_HOST_KEY_CHECKING'],
    [
      ['defaults', 'host_key_checking'],
      ['ssh_connection', 'host_key_checking'],
    ],
  );
  if (hostKeyChecking && !hostKeyChecking.value) {
    diagnostics.push(
      problem(
        hostKeyChecking.from.startsWith('ANSIBLE_') ? hostKeyChecking.from : (file ?? ''),
        0,
        `${hostKeyChecking.from} = False is not honoured: apim-provision always checks host keys, so that it never sends a password or a sudo password to a machine it does not know`,
        'record new keys once with --accept-new-host-keys (a changed key is always refused)',
        'warning',
      ),
    );
  }
  for (const r of REFUSED) {
    const f = lookup([r.env], [[r.section, r.key]]);
    const why = f ? r.refuse(f.text) : undefined;
    if (f && why)
      diagnostics.push(
        problem(
          f.line > 0 && file ? file : f.from,
          f.line,
          `${f.from}: ${why}`,
          `remove ${f.from} for apim-provision runs`,
        ),
      );
  }
  return settings;
}
