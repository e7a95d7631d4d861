import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import {
  newSudoPrompt,
  scrubSecret,
  shCommand,
  stripPrompt,
  sudoCommand,
} from '../../../src/transport/sudo-command.js';

/** The argv a real shell passes to sudo for `line` (sudo replaced by a function that prints it). */
function sudoArgv(line: string): string[] {
  const output = execFileSync('sh', ['-c', `sudo() { printf '%s\\0' "$@"; }\n${line}`], { encoding: 'utf8' });
  return output.split('\0').slice(0, -1);
}

describe('sudo command lines', () => {
  it('runs a plain command through sh -c', () => {
    const output = execFileSync('sh', ['-c', shCommand(`echo "$0"; printf '%s' 'a b'`)], {
      encoding: 'utf8',
    });
    expect(output).toBe('sh\na b');
  });

  it('starts sh -s under a passwordless sudo that never reads stdin for a password', () => {
    expect(sudoArgv(sudoCommand('root'))).toEqual(['-H', '-k', '-n', '-u', 'root', '--', 'sh', '-s']);
  });

  it('starts sh -s under sudo with a password: -k -S and the unique prompt', () => {
    const prompt = newSudoPrompt();
    expect(sudoArgv(sudoCommand('www data', prompt))).toEqual([
      '-H',
      '-k',
      '-S',
      '-p',
      prompt,
      '-u',
      'www data',
      '--',
      'sh',
      '-s',
    ]);
  });

  it('makes a new prompt each time, without the % escapes sudo expands', () => {
    const prompts = new Set(Array.from({ length: 20 }, newSudoPrompt));
    expect(prompts.size).toBe(20);
    for (const prompt of prompts) expect(prompt).not.toContain('%');
  });
});

describe('stripPrompt', () => {
  it('removes the prompt wherever sudo wrote it, keeping the command stderr', () => {
    const prompt = newSudoPrompt();
    expect(stripPrompt(`${prompt}ls: cannot access 'x'\n`, prompt)).toBe(`ls: cannot access 'x'\n`);
    expect(stripPrompt(`${prompt}Sorry, try again.\n${prompt}`, prompt)).toBe('Sorry, try again.\n');
    expect(stripPrompt('no prompt here\n', prompt)).toBe('no prompt here\n');
  });
});

describe('scrubSecret', () => {
  it('replaces every occurrence of the secret', () => {
    expect(scrubSecret('pw s3cret! then s3cret!', 's3cret!')).toBe('pw ******** then ********');
    expect(scrubSecret('unchanged', undefined)).toBe('unchanged');
    expect(scrubSecret('unchanged', '')).toBe('unchanged');
  });
});
