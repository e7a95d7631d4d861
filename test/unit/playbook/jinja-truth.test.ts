/**
 * The engine against ansible-core's recorded answers (test/conformance/jinja-truth-cases.ts; the
 * conformance suite proves the records against the real ansible-playbook).
 */
import { describe, expect, it } from 'vitest';
import { ourOutcome, TRUTH_CASES } from '../../conformance/jinja-truth-cases.js';

describe('Jinja truth as Ansible evaluates it', () => {
  it.each(TRUTH_CASES.map((c) => [c.kind, JSON.stringify(c.source), c] as const))('%s %s', (_k, _s, c) => {
    expect(ourOutcome(c)).toEqual(c.expect);
  });
});
