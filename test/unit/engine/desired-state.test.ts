import { describe, expect, it } from 'vitest';
import {
  normaliseMode,
  planDelete,
  planDirectory,
  planFile,
  sha256,
  type DesiredFile,
} from '../../../src/engine/desired-state.js';

const desired: DesiredFile = {
  path: '/etc/nginx/conf.d/apim.conf',
  content: Buffer.from('server {}\n'),
  mode: '0644',
  owner: 'root',
  group: 'root',
  secret: false,
};

describe('planFile', () => {
  it('creates a missing file', () => {
    expect(planFile(desired, { exists: false })).toMatchObject({ action: 'create', target: desired.path });
    expect(planFile(desired, undefined)?.action).toBe('create');
  });

  it('reports nothing when content, mode and owner match', () => {
    const fact = {
      exists: true as const,
      type: 'file' as const,
      sha256: sha256(desired.content),
      mode: '0644',
      owner: 'root',
      group: 'root',
      size: 10,
    };
    expect(planFile(desired, fact)).toBeUndefined();
  });

  it('names every difference', () => {
    const fact = {
      exists: true as const,
      type: 'file' as const,
      sha256: 'x',
      mode: '0600',
      owner: 'www-data',
      group: 'root',
      size: 1,
    };
    const change = planFile(desired, fact);
    expect(change?.action).toBe('update');
    expect(change?.summary).toBe('content, mode 0600 -> 0644, owner www-data:root -> root:root');
  });

  it('marks secrets so no diff or content is ever shown', () => {
    expect(planFile({ ...desired, secret: true }, { exists: false })?.secret).toBe(true);
  });

  it('replaces a folder standing where a file must be', () => {
    const fact = {
      exists: true as const,
      type: 'directory' as const,
      mode: '0755',
      owner: 'root',
      group: 'root',
      size: 0,
    };
    expect(planFile(desired, fact)?.summary).toMatch(/replace directory/);
  });
});

describe('planDirectory and planDelete', () => {
  it('creates, fixes modes, and leaves a matching folder alone', () => {
    const dir = { path: '/etc/nginx/ssl', mode: '0700', owner: 'root', group: 'root' };
    expect(planDirectory(dir, { exists: false })?.action).toBe('create');
    const same = {
      exists: true as const,
      type: 'directory' as const,
      mode: '0700',
      owner: 'root',
      group: 'root',
      size: 0,
    };
    expect(planDirectory(dir, same)).toBeUndefined();
    expect(planDirectory(dir, { ...same, mode: '0755' })?.summary).toBe('mode 0755 -> 0700');
  });

  it('deletes only what exists', () => {
    expect(planDelete('/x', { exists: false })).toBeUndefined();
    expect(
      planDelete('/x', { exists: true, type: 'file', mode: '0644', owner: 'root', group: 'root', size: 1 })
        ?.action,
    ).toBe('delete');
  });
});

describe('normaliseMode', () => {
  it.each([
    ['644', '0644'],
    ['0644', '0644'],
    ['0o600', '0600'],
    ['00644', '0644'],
    ['2755', '2755'],
  ])('%s -> %s', (input, out) => {
    expect(normaliseMode(input)).toBe(out);
  });
});
