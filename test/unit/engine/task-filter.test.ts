import { describe, expect, it } from 'vitest';
import { taskSelected } from '../../../src/engine/task-filter.js';
import type { Play, Task } from '../../../src/playbook/types.js';

const loc = { file: 'site.yml', line: 1, column: 1 };
const play = {
  name: 'p',
  hosts: 'all',
  vars: {},
  tasks: [],
  handlers: [],
  anyErrorsFatal: false,
  tags: [],
  loc,
} as Play;
const task = (tags: string[]): Task => ({ name: 't', module: 'debug', args: {}, notify: [], tags, loc });

describe('taskSelected (--tags / --skip-tags)', () => {
  it('runs everything without tags', () => {
    expect(taskSelected(play, task(['certs']))).toBe(true);
  });
  it('runs only matching tasks, plus always', () => {
    expect(taskSelected(play, task(['certs']), ['config'])).toBe(false);
    expect(taskSelected(play, task(['config']), ['config'])).toBe(true);
    expect(taskSelected(play, task(['always']), ['config'])).toBe(true);
  });
  it('skips by tag, even always', () => {
    expect(taskSelected(play, task(['always']), undefined, ['always'])).toBe(false);
  });
  it('runs never-tagged tasks only when asked', () => {
    expect(taskSelected(play, task(['never', 'debug']))).toBe(false);
    expect(taskSelected(play, task(['never', 'debug']), ['debug'])).toBe(true);
  });
  it('inherits play tags', () => {
    expect(taskSelected({ ...play, tags: ['lb'] }, task([]), ['lb'])).toBe(true);
  });
});
