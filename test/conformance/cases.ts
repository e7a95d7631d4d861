/**
 * Inventories written for this project, each read by the real ansible-inventory and by
 * apim-provision (ansible-inventory.test.ts). `covers` names what the case keeps true; the silent
 * differences of issue 12 each have one.
 */
export interface ConformanceCase {
  name: string;
  covers: string;
  files: Record<string, string>;
  /** -i sources, relative to the case folder (a text with a comma is a host list). */
  sources: string[];
  playbookDir?: string;
  extraVars?: string[];
  /** Files encrypted by the real ansible-vault after they are written (id: 1.2 format with that vault id). */
  vaultFiles?: Record<string, { text: string; id?: string }>;
  /** `key: %%VAULT:name%%` lines become `key: !vault |` blocks made by ansible-vault encrypt_string. */
  vaultStrings?: Record<string, { text: string; id?: string }>;
  /** Groups whose --graph is compared (default: all). */
  graph?: string[];
  graphVars?: boolean;
  /** Hosts whose --host output is compared. */
  hosts?: string[];
}

export const CASES: ConformanceCase[] = [
  {
    name: 'precedence-files-beat-inline',
    covers: 'every group_vars file beats every inline group vars (child inline < all.yml, < parent file)',
    files: {
      'inventory.yml': `all:
  vars:
    level: inline-all
    all_inline_only: 1
  children:
    parent:
      vars:
        level: inline-parent
        parent_inline: p
      children:
        child:
          vars:
            level: inline-child
            from_child_inline: c
            beaten_by_all_file: child-inline
            beaten_by_parent_file: child-inline
          hosts:
            h1:
              level: inline-host
              host_inline_vs_file: inline
            h2:
`,
      'group_vars/all.yml': 'beaten_by_all_file: all-file\nlevel_all_file: yes\n',
      'group_vars/parent.yml': 'beaten_by_parent_file: parent-file\nparent_inline: parent-file\n',
      'group_vars/child.yml': 'level: file-child\n',
      'host_vars/h1.yml': 'host_inline_vs_file: file\n',
    },
    sources: ['inventory.yml'],
    hosts: ['h1', 'h2'],
    graphVars: true,
  },
  {
    name: 'vars-files-discovery',
    covers:
      'extension-less host_vars with dots (host_vars/lb2.example.com, host_vars/10.1.2.3), extension-less files and sub-folders inside a vars folder, first-found when x.yml and x/ both exist, hidden and backup files skipped',
    files: {
      'inventory.yml': `all:
  children:
    web:
      hosts:
        lb2.example.com:
        10.1.2.3:
        plain:
    db:
      hosts:
        db1:
`,
      'host_vars/lb2.example.com': 'from: extensionless-dotted-name\n',
      'host_vars/10.1.2.3': 'from: ip-named-file\n',
      'host_vars/plain/main.yml': 'a: 1\n',
      'host_vars/plain/zz_last': 'a: 3\nextensionless_in_folder: true\n',
      'host_vars/plain/m/nested.yml': 'a: 2\nnested: true\n',
      'host_vars/plain/.hidden.yml': 'hidden: true\n',
      'host_vars/plain/backup.yml~': 'backup: true\n',
      'host_vars/plain/notes.txt': 'txt: true\n',
      'host_vars/plain/dir.d/inside.yml': 'dir_with_extension: true\n',
      'group_vars/web.yml': 'chosen: web.yml\nonly_in_file: true\n',
      'group_vars/web/main.yml': 'chosen: web-folder\n',
      'group_vars/db.yaml': 'chosen: db.yaml\n',
      'group_vars/db.json': '{"chosen": "db.json"}\n',
    },
    sources: ['inventory.yml'],
  },
  {
    name: 'yaml-1.1-typing',
    covers:
      "YAML 1.1 scalar typing of Ansible's loader: yes/no/on/off, 010 octal, 0x, 0b, base 60, floats need a dot",
    files: {
      'inventory.yml': `all:
  hosts:
    h1:
      b_yes: yes
      b_No: No
      b_on: on
      b_OFF: OFF
      b_y: y
      b_true: True
      octal: 010
      octal_yaml12: 0o10
      not_octal: 09
      hex: 0x1F
      bin: 0b101
      underscore: 1_000
      sexagesimal: 190:20:30
      time: 12:30
      float: 1.0
      float2: 1.5
      float3: 2.
      exp_no_dot: 1e3
      exp: 1.0e+3
      small: 0.0001
      tiny: 0.00001
      big_float: 12345678901234567.0
      inf: .inf
      ninf: -.inf
      null1: ~
      null2: null
      empty:
      date: 2024-01-02
      quoted_yes: "yes"
      quoted_int: '010'
      negative: -12
      plus: +7
      list: [yes, 010, 1.0, "x", ~]
      nested: {a: off, b: [0x10]}
      unicode: "çé 日本"
      folded: >
        two
        lines
      literal: |
        keep
        lines
`,
    },
    sources: ['inventory.yml'],
    graphVars: true,
  },
  {
    name: 'merge-keys-and-aliases',
    covers:
      'merge keys (<<: *a, <<: [*a, *b]) with explicit keys winning and the first merged mapping winning; anchors shared',
    files: {
      'inventory.yml': `all:
  vars:
    base: &base {user: deploy, port: 22, tags: [a]}
    other: &other {port: 2222, extra: true}
  hosts:
    h1:
      settings:
        <<: *base
        port: 2200
    h2:
      settings:
        <<: [*other, *base]
    h3:
      copy: *base
`,
    },
    sources: ['inventory.yml'],
  },
  {
    name: 'unsafe-and-unknown-tags',
    covers:
      '!unsafe values stay as written and show as {"__ansible_unsafe": ...}; templates are not rendered by ansible-inventory',
    files: {
      'inventory.yml': `all:
  vars:
    admin_user: admin
  hosts:
    h1:
      ansible_user: "{{ admin_user }}"
      raw: !unsafe '{{ lookup("pipe", "id") }}'
      raw_list: !unsafe ['{{ a }}', 1]
`,
    },
    sources: ['inventory.yml'],
  },
  {
    name: 'explicit-ungrouped',
    covers:
      'an explicit ungrouped group loses hosts that are in other groups; hosts only in all join ungrouped',
    files: {
      'inventory.yml': `all:
  hosts:
    loose:
  children:
    ungrouped:
      hosts:
        u1:
        lb1:
    loadbalancers:
      hosts:
        lb1:
`,
    },
    sources: ['inventory.yml'],
    graph: ['all', 'ungrouped'],
  },
  {
    name: 'group-priority-and-depth',
    covers:
      'ansible_group_priority orders groups of the same depth; depth beats priority; names order the rest',
    files: {
      'inventory.yml': `all:
  children:
    a_low:
      vars:
        winner: a_low
        by_name: a_low
      hosts:
        h1:
    b_high:
      vars:
        ansible_group_priority: 10
        winner: b_high
      hosts:
        h1:
    c_plain:
      vars:
        by_name: c_plain
      hosts:
        h1:
    outer:
      vars:
        ansible_group_priority: 99
        depth_test: outer
      children:
        inner:
          vars:
            depth_test: inner
          hosts:
            h1:
`,
      'group_vars/a_low.yml': 'ansible_group_priority: 50\nfile_priority_is_a_var: true\n',
    },
    sources: ['inventory.yml'],
    graphVars: true,
  },
  {
    name: 'ini-inventory',
    covers:
      'INI inventories: [group], [group:vars], [group:children] (declared later), host key=value with quotes and comments, literal_eval values',
    files: {
      hosts: `# an INI inventory without extension
loose ansible_host=127.0.0.9

[loadbalancers]
lb1 ansible_host=127.0.0.2 ansible_port=2222 flag=True none=None
lb2:2200 ansible_user="deploy user" note='single # not a comment' # a comment
lb[3:4] tier=edge

[loadbalancers:vars]
apim_pattern = active-active
with_spaces = a b c
quoted = "quoted"
number = 010
decimal = 1.0
list = [1, 'two', 3.0]
dict = {'a': 1, "b": [True, None]}
yes_word = yes
hash_value = x # not a comment here

[nodes:children]
apim_all_in_one

[apim_all_in_one]
apim1 apim_port_offset=1
apim2

[apim_all_in_one:vars]
tuple = (1, 2)
neg = -5
hexa = 0x1f
`,
    },
    sources: ['hosts'],
    graphVars: true,
  },
  {
    name: 'inventory-folder',
    covers:
      'a folder as inventory: files in name order, .ini/.cfg/hidden/group_vars skipped as Ansible does, group_vars inside the folder',
    files: {
      'inv/01-lbs.yml': `all:
  children:
    loadbalancers:
      hosts:
        lb1:
          order: first
`,
      'inv/02-more': `[loadbalancers]
lb2

[loadbalancers:vars]
from_ini = yes
`,
      'inv/03-ignored.ini': '[ignored]\nnever\n',
      'inv/.hidden.yml': 'all:\n  hosts:\n    hidden:\n',
      'inv/notes.txt': 'not an inventory\n',
      'inv/sub/10-nested.yml': 'all:\n  hosts:\n    nested:\n',
      'inv/group_vars/loadbalancers.yml': 'from_folder_group_vars: true\n',
      'inv/sub/group_vars/all.yml': 'not_read: true\n',
    },
    sources: ['inv'],
  },
  {
    name: 'several-sources',
    covers:
      'several -i sources: later ones add to and override earlier ones; each source folder has its own group_vars, applied per source',
    files: {
      'a/inventory.yml': `all:
  children:
    web:
      vars:
        who: a-inline
      hosts:
        w1:
          host_from: a
`,
      'a/group_vars/web.yml': 'who_file: a\n',
      'a/group_vars/all.yml': 'all_from: a\n',
      'b/inventory.yml': `all:
  children:
    web:
      vars:
        who: b-inline
      hosts:
        w1:
          host_from: b
        w2:
`,
      'b/group_vars/all.yml': 'all_from: b\nwho_file: b-all\n',
    },
    sources: ['a/inventory.yml', 'b/inventory.yml'],
    hosts: ['w1'],
  },
  {
    name: 'host-ranges-and-ports',
    covers: 'host ranges with padding, steps, letters and several ranges; host:port in YAML; [ipv6]:port',
    files: {
      'inventory.yml': `all:
  children:
    web:
      hosts:
        web[01:03]:
        app[1:9:4]-x:
        db-[a:c]:
        lb[1:2]-[a:b]:
        h.example.com:2222:
        "[2001:db8::1]:2200":
        127.0.0.5:22:
          ansible_port: 2300
`,
    },
    sources: ['inventory.yml'],
  },
  {
    name: 'playbook-folder-vars',
    covers:
      "group_vars/host_vars next to the playbook apply too, above the inventory's (all, then groups, then hosts)",
    files: {
      'inv/inventory.yml': `all:
  children:
    web:
      hosts:
        w1:
`,
      'inv/group_vars/web.yml': 'level: inventory-web\nonly_inventory: true\n',
      'inv/group_vars/all.yml': 'all_level: inventory\n',
      'play/group_vars/all.yml': 'all_level: playbook\nlevel: playbook-all\n',
      'play/group_vars/web.yml': 'level: playbook-web\n',
      'play/host_vars/w1.yml': 'host: playbook\n',
      'inv/host_vars/w1.yml': 'host: inventory\n',
    },
    sources: ['inv/inventory.yml'],
    playbookDir: 'play',
  },
  {
    name: 'extra-vars',
    covers: '-e key=value (strings), inline JSON/YAML and @file: the highest precedence',
    files: {
      'inventory.yml': `all:
  vars:
    a: inventory
    b: inventory
    c: inventory
  hosts:
    h1:
      a: host
`,
      'extra.yml': 'c: from-file\nnum: 5\n',
    },
    sources: ['inventory.yml'],
    extraVars: ['a=cli b=2', '{"b": 3, "d": [1.0]}', '@extra.yml'],
  },
  {
    name: 'host-list',
    covers: 'a comma-separated host list as -i, hosts with ports',
    files: {},
    sources: ['lb1,lb2:2222,127.0.0.1'],
  },
  {
    name: 'vault',
    covers:
      'inline !vault values (1.1 and 1.2 with a vault id) shown as {"__ansible_vault": ...}; vault-encrypted group_vars and host_vars files decrypted',
    files: {
      'inventory.yml': `all:
  children:
    loadbalancers:
      hosts:
        lb1:
          ansible_become_password: %%VAULT:become%%
          dev_secret: %%VAULT:dev%%
`,
    },
    vaultStrings: { become: { text: 's3cret' }, dev: { text: 'dev-only', id: 'dev' } },
    vaultFiles: {
      'group_vars/loadbalancers/vault.yml': { text: 'vault_api_key: abc123\nport: 8443\n' },
      'host_vars/lb1.yml': { text: 'from_dev_vault_file: true\n', id: 'dev' },
    },
    sources: ['inventory.yml'],
  },
  {
    name: 'vault-inventory-file',
    covers: 'an inventory file that is itself vault-encrypted (INI inside)',
    files: {},
    vaultFiles: { hosts: { text: '[web]\nw1 x=1\n' } },
    sources: ['hosts'],
  },
  {
    name: 'group-definitions-merge',
    covers:
      'a group defined in several places merges its hosts and vars, the later definition winning; top-level groups become children of all; invalid group characters kept',
    files: {
      'inventory.yml': `web-servers:
  hosts:
    w1:
  vars:
    x: first
    keep: yes
all:
  children:
    web-servers:
      vars:
        x: second
      hosts:
        w2:
    site:
      children:
        web-servers:
    "1group":
      hosts:
        w3:
`,
    },
    sources: ['inventory.yml'],
    graphVars: true,
  },
  {
    name: 'json-and-empty-vars-files',
    covers: 'JSON vars files (JSON typing), empty files ignored, strings in place of mappings',
    files: {
      'inventory.yml': `all:
  children:
    g:
      hosts: only_host
`,
      'group_vars/g.json': '{"from_json": 1.0, "exp": 1e3, "word": "yes"}',
      'group_vars/all.yml': '# only a comment\n',
      'host_vars/only_host.yaml': '---\n',
    },
    sources: ['inventory.yml'],
  },
  {
    name: 'deep-groups-order',
    covers:
      'host order of groups, depths by longest path, same-depth groups by name, hosts in several groups',
    files: {
      'inventory.yml': `all:
  children:
    z:
      children:
        y:
          hosts:
            h1:
              v: y
    a:
      hosts:
        h1:
          via_a: true
      children:
        b:
          children:
            c:
              hosts:
                h1:
                h0:
    y:
      vars:
        v: y-inline
`,
      'group_vars/z.yml': 'v: z-file\n',
      'group_vars/c.yml': 'v: c-file\n',
      'group_vars/y.yml': 'v: y-file\n',
    },
    sources: ['inventory.yml'],
    graph: ['all', 'a'],
  },
  {
    name: 'yaml-shorthands',
    covers:
      'a string in place of hosts/children/vars mappings, null sections, a group that is a list (skipped, as Ansible does), repeated keys (the later wins)',
    files: {
      'inventory.yml': `all:
  children:
    web:
      hosts: w1
    wrapper:
      children: web
    nothing:
      hosts:
      vars:
    dup:
      vars:
        k: first
        k: second
      hosts:
        d1:
skipped: [a, b]
`,
    },
    sources: ['inventory.yml'],
  },
  {
    name: 'ini-edge-cases',
    covers:
      'INI: escapes and quotes as shlex splits them, # ending a word, empty values, [g:vars] and [g:children] before [g], a host listed twice, ports and IPv6',
    files: {
      'inventory.ini': `[parent:children]
child

[child:vars]
declared_later = yes

[child]
h1 a=x#comment b= c="" d='it''s' e=a\\b f="x y" g=1.5e3 h=0o17 i=1_000
h1 second=listing
h2:2201
[2001:db8::2]:2202
h3 ansible_port=2203

[empty]
`,
    },
    sources: ['inventory.ini'],
    graphVars: true,
  },
  {
    name: 'host-port-first-listing',
    covers:
      'a host listed twice with different ports keeps the port of the first listing; ansible_port set inline beats it',
    files: {
      'inventory.yml': `all:
  children:
    a:
      hosts:
        h1:2201:
        h2:2202:
    b:
      hosts:
        h1:2999:
        h2:
          ansible_port: 3000
`,
    },
    sources: ['inventory.yml'],
  },
];
