import type { Play, Task } from '../playbook/types.js';

/** Ansible's `--tags` / `--skip-tags`: `always` runs unless skipped by name, `never` only when asked. */
export function taskSelected(play: Play, task: Task, tags?: string[], skipTags?: string[]): boolean {
  const own = new Set([...play.tags, ...task.tags]);
  if (skipTags?.some((t) => own.has(t))) return false;
  if (own.has('never') && !tags?.some((t) => own.has(t))) return false;
  if (!tags || tags.length === 0 || tags.includes('all')) return true;
  if (own.has('always')) return true;
  return tags.some((t) => own.has(t));
}
