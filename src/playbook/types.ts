/** Where a play or task starts in its playbook file (1-based). */
export interface SourceLoc {
  file: string;
  line: number;
  column: number;
}

/** One task (or handler) with its module arguments validated and normalised. */
export interface Task {
  /** The task's `name`, or the module name when the task has none (as Ansible shows it). */
  name: string;
  /** The module's canonical name, as the catalogue the playbook was loaded with knows it. */
  module: string;
  /**
   * Arguments after validation: free-form command strings split into `cmd`/`creates`/...,
   * modes as 4-digit octal strings, `src` resolved to an absolute path on the controller.
   * Strings may still hold `{{ }}` templates, rendered per host at run time.
   */
  args: Record<string, unknown>;
  /** Handler names or `listen` topics to notify when the task changed something. */
  notify: string[];
  /** Jinja expression (without braces), or several, evaluated in order until one is false. */
  when?: string | string[];
  tags: string[];
  become?: boolean;
  loc: SourceLoc;
  /** Handlers only: topics this handler also answers to. */
  listen?: string[];
}

export interface Play {
  name: string;
  /** Host pattern, e.g. `loadbalancers` or `lb1:lb2`. */
  hosts: string;
  become?: boolean;
  becomeUser?: string;
  vars: Record<string, unknown>;
  tasks: Task[];
  handlers: Task[];
  /** Batch size: N hosts or "N%". */
  serial?: number | string;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  tags: string[];
  loc: SourceLoc;
}

export interface Playbook {
  file: string;
  plays: Play[];
}
