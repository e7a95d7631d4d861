import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_BYTES, readInputFile } from '../../../src/input/read-input-file.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-read-'));

describe('readInputFile: regular files only, bounded, UTF-8', () => {
  it('reads a regular file (without a BOM, saying it had one)', () => {
    const file = join(dir, 'a.yml');
    writeFileSync(file, '\uFEFFall: {}\n');
    expect(readInputFile(file, 'inventory')).toEqual({ text: 'all: {}\n', bom: true });
  });

  it('refuses /dev/zero at once instead of reading forever', () => {
    const r = readInputFile('/dev/zero', 'inventory');
    expect(r.diagnostic).toMatchObject({
      file: '/dev/zero',
      message: 'inventory is a character device, not a regular file',
    });
  });

  it('refuses a FIFO without blocking on it', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const r = readInputFile(fifo, 'group_vars file');
    expect(r.diagnostic?.message).toBe('group_vars file is a FIFO (named pipe), not a regular file');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a directory and names it', () => {
    expect(readInputFile(dir, 'playbook').diagnostic?.message).toBe(
      'playbook is a directory, not a regular file',
    );
  });

  it('refuses a file larger than the cap without reading it', () => {
    const big = join(dir, 'big.yml');
    writeFileSync(big, '');
    truncateSync(big, MAX_INPUT_BYTES + 1); // sparse: no disk used
    const r = readInputFile(big, 'inventory');
    expect(r.diagnostic?.message).toMatch(
      /^inventory is 16\.0 MiB, more than the 16\.0 MiB apim-provision reads/,
    );
    expect(r.diagnostic?.file).toBe(big);
  });

  it('refuses text that is not UTF-8', () => {
    const file = join(dir, 'latin1.yml');
    writeFileSync(file, Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    expect(readInputFile(file, 'template').diagnostic?.message).toBe('template is not UTF-8 text');
  });

  it('says a missing file does not exist', () => {
    expect(readInputFile(join(dir, 'nope'), 'inventory').diagnostic).toMatchObject({
      message: 'inventory does not exist',
      line: 0,
      severity: 'error',
    });
  });
});
