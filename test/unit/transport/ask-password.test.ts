import { EventEmitter } from 'node:events';

import { describe, expect, it } from 'vitest';

import { applyKeystrokes, askPassword, type TerminalInput } from '../../../src/transport/ask-password.js';

const empty = { text: '', done: false, interrupted: false };

describe('applyKeystrokes', () => {
  it('edits the line and ends it on Enter', () => {
    expect(applyKeystrokes(empty, 'pass')).toEqual({ text: 'pass', done: false, interrupted: false });
    expect(applyKeystrokes(empty, 'paxx\u007f\u007fss\r')).toEqual({
      text: 'pass',
      done: true,
      interrupted: false,
    });
    expect(applyKeystrokes(empty, 'junk\u0015é✓\n').text).toBe('é✓');
    expect(applyKeystrokes(empty, 'a\u001bb\r').text).toBe('ab');
  });

  it('interrupts on Ctrl-C and ends an empty line on Ctrl-D', () => {
    expect(applyKeystrokes({ ...empty, text: 'sec' }, '\u0003')).toEqual({
      text: '',
      done: true,
      interrupted: true,
    });
    expect(applyKeystrokes(empty, '\u0004')).toMatchObject({ text: '', done: true });
  });
});

class FakeTerminal extends EventEmitter implements TerminalInput {
  isTTY = true;
  raw: boolean[] = [];
  setRawMode(mode: boolean): void {
    this.raw.push(mode);
  }
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
}

describe('askPassword', () => {
  it('reads a line in raw mode without echoing it', async () => {
    const terminal = new FakeTerminal();
    let written = '';
    const answer = askPassword('BECOME password: ', terminal, { write: (text: string) => (written += text) });
    terminal.emit('data', 'se');
    terminal.emit('data', 'cret\r');
    expect(await answer).toBe('secret');
    expect(written).toBe('BECOME password: \n');
    expect(terminal.raw).toEqual([true, false]);
  });

  it('rejects when interrupted', async () => {
    const terminal = new FakeTerminal();
    const answer = askPassword('pw: ', terminal, { write: () => true });
    terminal.emit('data', 'abc\u0003');
    await expect(answer).rejects.toThrow(/Ctrl-C at the pw prompt/);
    expect(terminal.raw).toEqual([true, false]);
  });

  it('explains what to do when stdin is not a terminal', async () => {
    const pipe = Object.assign(new FakeTerminal(), { isTTY: false });
    await expect(askPassword('BECOME password: ', pipe, { write: () => true })).rejects.toThrow(
      /standard input is not a terminal.*ansible_become_password/,
    );
  });
});
