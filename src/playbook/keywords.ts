/** Play keys apim-provision understands (or accepts as harmless). */
export const PLAY_KEYS = [
  'name',
  'hosts',
  'become',
  'become_user',
  'become_method',
  'vars',
  'tasks',
  'handlers',
  'serial',
  'max_fail_percentage',
  'any_errors_fatal',
  'tags',
  'gather_facts',
] as const;

/** Task and handler keys besides the module itself. */
export const TASK_KEYS = [
  'name',
  'notify',
  'when',
  'tags',
  'become',
  'become_method',
  'args',
  'listen',
  'no_log',
] as const;

const ONE_TASK_PER_ITEM = 'write one task per item, or let a single command or template handle the list';
const INLINE_TASKS = "copy those tasks into this playbook's tasks: list";

/** Ansible keywords that change what a play does, so silently ignoring them would be wrong. */
export const UNSUPPORTED_TASK_KEYS: Record<string, string> = {
  loop: ONE_TASK_PER_ITEM,
  loop_control: ONE_TASK_PER_ITEM,
  with_items: ONE_TASK_PER_ITEM,
  register:
    'apim-provision does not keep task results; guard commands with creates/removes, or use when: on variables and facts',
  delegate_to: 'run the task on the play hosts, or do that step on the controller before apim-provision runs',
  delegate_facts: 'remove it',
  local_action: 'do that step on the controller before apim-provision runs',
  run_once: 'remove it, or put the task in a play whose hosts: names one host',
  block:
    "list the block's tasks directly under tasks: (the apim_* modules roll back by themselves on failure)",
  rescue: 'remove it: the apim_* modules restore the previous configuration when nginx rejects the new one',
  always: "move these tasks into the play's tasks: or handlers:",
  import_tasks: INLINE_TASKS,
  include_tasks: INLINE_TASKS,
  include: INLINE_TASKS,
  import_role: INLINE_TASKS,
  include_role: INLINE_TASKS,
  include_vars: "put the variables in the play's vars: or in group_vars/ next to the inventory",
  until: 'remove it, or make the command itself wait (e.g. a shell loop with a timeout)',
  retries: 'remove it, or make the command itself retry',
  delay: 'remove it, or make the command itself retry',
  ignore_errors: 'remove it, or make the command tolerate the failure (e.g. `|| true` in shell)',
  failed_when: 'remove it, or make the command exit non-zero exactly when it failed',
  changed_when: 'remove it; guard commands with creates/removes to report ok when nothing is to do',
  check_mode: 'remove it; --check applies to the whole run',
  diff: 'remove it; --diff applies to the whole run',
  environment: 'set the variables inside the command itself, e.g. cmd: "LANG=C mycommand"',
  vars: "move the variables to the play's vars:",
  async: 'remove it',
  poll: 'remove it',
  become_user: 'set become_user on the play, or ansible_become_user in the inventory',
  throttle: 'remove it; use serial on the play',
  any_errors_fatal: 'set any_errors_fatal on the play',
  ignore_unreachable: 'remove it',
};

export const UNSUPPORTED_PLAY_KEYS: Record<string, string> = {
  roles: "copy the role's tasks and handlers into this play's tasks: and handlers:",
  pre_tasks: 'move them to the start of tasks:',
  post_tasks: 'move them to the end of tasks:',
  vars_files: "put the variables in the play's vars: or in group_vars/ next to the inventory",
  vars_prompt: 'pass the values as inventory variables instead',
  import_playbook: 'copy the plays of that playbook into this file',
  strategy: 'remove it; apim-provision runs hosts in parallel, in batches set by serial',
  environment: 'set the variables inside the commands themselves',
  remote_user: 'set ansible_user in the inventory',
  connection: 'remove it; apim-provision always connects over SSH',
  ignore_errors: 'remove it',
  ignore_unreachable: 'remove it',
  order: 'remove it',
  collections: 'remove it; use the module names apim-provision knows',
  module_defaults: 'give the arguments on each task',
};

export function isUnsupportedTaskKey(key: string): string | undefined {
  if (key.startsWith('with_')) return ONE_TASK_PER_ITEM;
  return Object.hasOwn(UNSUPPORTED_TASK_KEYS, key) ? UNSUPPORTED_TASK_KEYS[key] : undefined;
}
