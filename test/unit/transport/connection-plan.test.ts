import { describe, expect, it } from 'vitest';

import { Secret } from '../../../src/domain/secret.js';
import type { ConnectionSpec } from '../../../src/domain/types.js';
import type { AuthPlan } from '../../../src/transport/auth-plan.js';
import type { ConnectOptions } from '../../../src/transport/connect-options.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RETRIES,
  describeConnectionPlan,
  planConnection,
} from '../../../src/transport/connection-plan.js';

function target(overrides: Partial<ConnectionSpec> = {}) {
  const connection: ConnectionSpec = {
    host: '198.51.100.10',
    port: 22,
    user: 'deploy',
    become: false,
    becomeUser: 'root',
    jumpHosts: [],
    ...overrides,
  };
  return { name: 'lb1', connection };
}

const options: ConnectOptions = { knownHostsFiles: ['/k/known_hosts'], acceptNewHostKeys: false };
const auth: AuthPlan = {
  methods: ['private key /k/id', 'password (ansible_password)'],
  jumpMethods: ['private key /k/id'],
  handler: () => () => undefined,
};

describe('planConnection', () => {
  it('takes the inventory first, then the run options, then the defaults', () => {
    expect(planConnection(target(), options)).toMatchObject({
      timeout: { value: DEFAULT_CONNECT_TIMEOUT_MS, from: 'default' },
      retries: { value: DEFAULT_RETRIES, from: 'default' },
    });
    expect(planConnection(target(), { ...options, connectTimeoutMs: 4000, retries: 0 })).toMatchObject({
      timeout: { value: 4000, from: 'run option' },
      retries: { value: 0, from: 'run option' },
    });
    const own = target({ connectTimeoutMs: 1500, connectRetries: 5 });
    expect(planConnection(own, { ...options, connectTimeoutMs: 4000, retries: 0 })).toMatchObject({
      timeout: { value: 1500, from: 'inventory' },
      retries: { value: 5, from: 'inventory' },
    });
  });

  it('goes through the jump hosts in order, each with its own user or the host user', () => {
    const plan = planConnection(
      target({
        jumpHosts: [
          { host: 'bastion', port: 2222, user: 'jump' },
          { host: 'inner', port: 22 },
        ],
      }),
      options,
    );
    expect(plan.hops).toEqual([
      { host: 'bastion', port: 2222, user: 'jump', role: 'jump' },
      { host: 'inner', port: 22, user: 'deploy', role: 'jump' },
      { host: '198.51.100.10', port: 22, user: 'deploy', role: 'target' },
    ]);
  });
});

describe('describeConnectionPlan', () => {
  it('says everything that decides how a host is reached, never a secret', () => {
    const spec = target({
      password: new Secret('Plan-pw-never-shown'),
      become: true,
      connectTimeoutMs: 2500,
      jumpHosts: [{ host: 'bastion', port: 2222, user: 'jump' }],
    });
    const lines = describeConnectionPlan(spec, planConnection(spec, options), auth, {
      ...options,
      acceptNewHostKeys: true,
    });
    expect(lines).toEqual([
      'SSH connection plan for lb1:',
      '  connect to:  deploy@198.51.100.10:22',
      '  through:     jump@bastion:2222',
      '  attempts:    3 (2 retries, default), 2.5 s each for the SSH handshake (inventory)',
      '  host keys:   /k/known_hosts; unknown keys recorded in the first file, changed keys refused',
      '  auth:        private key /k/id, password (ansible_password)',
      '  jump auth:   private key /k/id',
      '  become:      sudo to root (passwordless sudo is checked)',
    ]);
    expect(lines.join('\n')).not.toContain('Plan-pw-never-shown');
  });

  it('has no jump lines without jump hosts, and says when nothing can be tried', () => {
    const lines = describeConnectionPlan(
      target(),
      planConnection(target(), options),
      { ...auth, methods: [] },
      options,
    );
    expect(lines.some((l) => l.includes('through') || l.includes('jump auth'))).toBe(false);
    expect(lines).toContain('  auth:        (nothing to try)');
    expect(lines).toContain('  become:      no');
  });
});
