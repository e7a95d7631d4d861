/**
 * `copy: content:` and the values templates write, as ansible-core 2.14 writes them: the engine
 * against the records of test/conformance/ansible-values-cases.ts (which the conformance suite
 * checks against the real ansible-playbook). No network.
 */
import { describe, expect, it } from 'vitest';
import { CONTENT_CASES, ourContents } from '../../conformance/ansible-values-cases.js';

describe('values written as Ansible writes them (recorded from ansible-playbook)', () => {
  it(`writes the recorded bytes for all ${CONTENT_CASES.length} copy cases`, async () => {
    const ours = await ourContents();
    const wrong = CONTENT_CASES.map((c, i) => ({ case: c, ours: ours[i] })).filter(
      (row) => row.ours !== row.case.expect,
    );
    expect(wrong).toEqual([]);
  });
});
