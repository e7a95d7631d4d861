import { describe, expect, it } from 'vitest';

import { signalExitCode } from '../../../src/transport/channel-exec.js';
import { ChannelLimiter } from '../../../src/transport/channel-limiter.js';

describe('ChannelLimiter', () => {
  it('never runs more than its limit at once, and runs everything', async () => {
    const limiter = new ChannelLimiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        limiter
          .run(async () => {
            active++;
            peak = Math.max(peak, active);
            await new Promise((resolve) => setTimeout(resolve, 5 + (index % 3)));
            active--;
            if (index === 4) throw new Error('task 4 failed');
            return index;
          })
          .catch((error: Error) => error.message),
      ),
    );
    expect(peak).toBe(3);
    expect(results[4]).toBe('task 4 failed');
    expect(results.filter((result) => typeof result === 'number')).toHaveLength(11);
  });
});

describe('signalExitCode', () => {
  it('maps signals to 128 + n like a shell, unknown ones to 255', () => {
    expect(signalExitCode('TERM')).toBe(143);
    expect(signalExitCode('KILL')).toBe(137);
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('NOPE')).toBe(255);
  });
});
