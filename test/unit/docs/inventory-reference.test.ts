import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECTION_VARS, LOAD_BALANCER_VARS, NODE_VARS } from '../../../src/inventory/vars-schema.js';

// docs/inventory.md is the users' reference: every variable the loader accepts must be in it.
const doc = readFileSync(new URL('../../../docs/inventory.md', import.meta.url), 'utf8');

describe('docs/inventory.md', () => {
  it.each([...CONNECTION_VARS, ...NODE_VARS, ...LOAD_BALANCER_VARS])('documents %s', (name) => {
    expect(doc).toContain(`\`${name}\``);
  });
});
