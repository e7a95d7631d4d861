import { describe, expect, it } from 'vitest';
import type { Deployment, EditionChoice } from '../../../src/domain/types.js';
import { decideEdition, needsSticky, planUpstreams } from '../../../src/patterns/index.js';
import { deployment, nodes } from '../../golden/cases.js';

/** The seed's table, plus the 4.x layout. */
const TABLE: { row: string; d: Deployment; sticky: boolean }[] = [
  {
    row: 'single all-in-one node',
    d: deployment('3.x', 'single-node', { all_in_one: nodes('a', 1, 1) }),
    sticky: false,
  },
  {
    row: 'active-active all-in-one nodes',
    d: deployment('3.x', 'active-active', { all_in_one: nodes('a', 1, 2) }),
    sticky: true,
  },
  {
    row: 'gateway with a single Gateway Manager',
    d: deployment('3.x', 'distributed', { gateway_manager: nodes('m', 2, 1), gateway: nodes('g', 3, 3) }),
    sticky: false,
  },
  {
    row: 'gateway with several Gateway Managers',
    d: deployment('3.x', 'distributed', { gateway_manager: nodes('m', 2, 2), gateway: nodes('g', 3, 2) }),
    sticky: true,
  },
  { row: 'HA Publisher', d: deployment('3.x', 'distributed', { publisher: nodes('p', 4, 2) }), sticky: true },
  { row: 'HA Store', d: deployment('2.6', 'distributed', { devportal: nodes('s', 5, 2) }), sticky: true },
  {
    row: 'HA Key Manager',
    d: deployment('3.x', 'distributed', { keymanager: nodes('k', 6, 2) }),
    sticky: true,
  },
  {
    row: 'a single Publisher (nothing to stick to)',
    d: deployment('3.x', 'distributed', { publisher: nodes('p', 4, 1) }),
    sticky: false,
  },
  {
    row: '4.x HA gateway (gwm is fail-over)',
    d: deployment('4.x', 'distributed', { gateway: nodes('g', 3, 2) }),
    sticky: false,
  },
  {
    row: '4.x HA Traffic Manager (fail-over)',
    d: deployment('4.x', 'distributed', { traffic_manager: nodes('t', 8, 2) }),
    sticky: false,
  },
  {
    row: '4.x HA Control Plane',
    d: deployment('4.x', 'distributed', { control_plane: nodes('c', 7, 2) }),
    sticky: true,
  },
  {
    row: '4.x single Control Plane',
    d: deployment('4.x', 'distributed', { control_plane: nodes('c', 7, 1), gateway: nodes('g', 3, 2) }),
    sticky: false,
  },
  {
    row: '4.x active-active',
    d: deployment('4.x', 'active-active', { all_in_one: nodes('a', 1, 2) }),
    sticky: true,
  },
  {
    row: '3.x HA Traffic Manager (admin services need the same node)',
    d: deployment('3.x', 'distributed', { traffic_manager: nodes('t', 8, 2) }),
    sticky: true,
  },
  {
    row: '3.x shared-file-system Gateway cluster (/services/ on 9443)',
    d: deployment('3.x', 'distributed', { gateway: nodes('g', 3, 2) }),
    sticky: true,
  },
  {
    row: '4.x separate Key Manager',
    d: deployment('4.x', 'distributed', { keymanager: nodes('k', 6, 2) }),
    sticky: true,
  },
  {
    row: '4.x simple scalable, two All-in-One nodes',
    d: deployment('4.x', 'simple-scalable', { all_in_one: nodes('a', 1, 2), gateway: nodes('g', 3, 2) }),
    sticky: true,
  },
  {
    row: '4.x simple scalable, one All-in-One node (gwm is fail-over)',
    d: deployment('4.x', 'simple-scalable', { all_in_one: nodes('a', 1, 1), gateway: nodes('g', 3, 2) }),
    sticky: false,
  },
];

describe('needsSticky', () => {
  it.each(TABLE.map((r) => [r.row, r] as const))('%s', (_row, r) => {
    expect(needsSticky(r.d)).toBe(r.sticky);
  });
});

describe('decideEdition', () => {
  const cases: [EditionChoice, boolean, string | undefined][] = [
    ['auto', false, '1.22.1'],
    ['auto', true, '1.22.1'],
    ['auto', false, '1.29.6'],
    ['auto', false, undefined],
    ['oss', true, '1.22.1'],
    ['oss', true, '1.30.0'],
    ['plus', true, '1.22.1'],
    ['plus', false, undefined],
  ];

  for (const r of TABLE) {
    describe(r.row, () => {
      it.each(cases)('choice %s, licence %s, Community nginx %s', (choice, licence, version) => {
        const dec = decideEdition(r.d, choice, {
          plusLicenceGiven: licence,
          ...(version ? { ossNginxVersion: version } : {}),
        });
        expect(dec.needsSticky).toBe(r.sticky);
        expect(dec.reasons.length).toBeGreaterThan(0);
        const plus = choice === 'plus' || (choice === 'auto' && licence && r.sticky);
        expect(dec.edition).toBe(plus ? 'plus' : 'oss');
        if (!r.sticky) {
          expect(dec.sticky).toBeUndefined();
          expect(dec.warnings.some((w) => w.includes('ip_hash'))).toBe(false);
          return;
        }
        const cookie = plus || (version !== undefined && ['1.29.6', '1.30.0'].includes(version));
        expect(dec.sticky).toBe(cookie ? 'sticky-cookie' : 'ip_hash');
        expect(dec.warnings.some((w) => w.includes('ip_hash'))).toBe(!cookie);
      });
    });
  }

  const activeActive = TABLE[1]!.d;

  it('puts the OSS sticky boundary at 1.29.6', () => {
    const at = (v: string) =>
      decideEdition(activeActive, 'auto', { plusLicenceGiven: false, ossNginxVersion: v });
    expect(at('1.29.5').sticky).toBe('ip_hash');
    expect(at('1.29.6').sticky).toBe('sticky-cookie');
    expect(at('1.29.6').edition).toBe('oss');
  });

  it('explains the ip_hash fallback: the docs, the upstreams, how to get a cookie', () => {
    const d = deployment('3.x', 'distributed', {
      publisher: nodes('p', 4, 2),
      devportal: nodes('s', 5, 2),
      gateway: nodes('g', 3, 2),
    });
    const dec = decideEdition(d, 'oss', { plusLicenceGiven: false, ossNginxVersion: '1.22.1' });
    const warning = dec.warnings.join('\n');
    expect(warning).toMatch(/documentation/);
    expect(warning).toContain('wso2_apim_publisher_9443');
    expect(warning).toContain('wso2_apim_devportal_9443');
    expect(warning).not.toContain('wso2_apim_gateway_8243');
    expect(warning).toMatch(/Plus licence/);
    expect(warning).toContain('1.29.6');
    expect(warning).toContain('1.22.1');
  });

  it('says why a licence was not used, and warns about Plus without a licence', () => {
    const single = TABLE[0]!.d;
    const auto = decideEdition(single, 'auto', { plusLicenceGiven: true });
    expect(auto.edition).toBe('oss');
    expect(auto.reasons.join(' ')).toMatch(/licence is not needed/);
    const plus = decideEdition(single, 'plus', { plusLicenceGiven: false });
    expect(plus.warnings.join(' ')).toMatch(/no Plus licence/);
  });

  it('explains fail-over and API ports in the reasons', () => {
    const d = deployment('4.x', 'distributed', {
      gateway: nodes('g', 3, 2),
      traffic_manager: nodes('t', 8, 2),
    });
    const reasons = decideEdition(d, 'auto', { plusLicenceGiven: false }).reasons.join(' ');
    expect(reasons).toMatch(/fail-over/);
    expect(reasons).toMatch(/never sticky/);
  });
});

describe('planUpstreams', () => {
  it('never makes API ports sticky, even with every extra enabled', () => {
    const d = deployment(
      '3.x',
      'active-active',
      { all_in_one: nodes('a', 1, 3) },
      { websocket: true, passthrough: true },
    );
    const ups = planUpstreams(d, 'ip_hash');
    for (const u of ups.filter((x) => x.port !== 9443)) {
      expect(u.balancing, u.name).toBe('round-robin');
      expect(u.sticky, u.name).toBeUndefined();
    }
    expect(ups.find((u) => u.port === 9443)?.sticky).toBe('ip_hash');
  });

  it('marks the second and later fail-over nodes as backup, without stickiness', () => {
    const d = deployment('4.x', 'distributed', {
      gateway: nodes('g', 3, 3),
      traffic_manager: nodes('t', 8, 2),
    });
    const ups = planUpstreams(d, 'ip_hash');
    for (const name of ['wso2_apim_gateway_9443', 'wso2_apim_traffic_manager_9443']) {
      const u = ups.find((x) => x.name === name);
      expect(u?.balancing).toBe('failover');
      expect(u?.sticky).toBeUndefined();
      expect(u?.servers.map((s) => s.backup)).toEqual(
        name.includes('gateway') ? [false, true, true] : [false, true],
      );
    }
  });
});
