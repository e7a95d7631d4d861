import { z } from 'zod';
import { APIM_VERSIONS, COMPONENT_ROLES, type ApimVersion, type ComponentRole } from '../domain/types.js';
import { LAB_ROLES, LAB_SUITES, type LabSpec, type StandinSpec } from './types.js';

/**
 * The default lab: five machines reused by every pattern (CI has two cores). Each apim machine runs
 * one stand-in per API-M role at a role-specific port offset, so every pattern finds two nodes per
 * role on two different hosts and balancing really crosses hosts. Each node's home has the layout
 * of the version its role is most used with (the load-balancer suites do not depend on it).
 */
const ROLE_OFFSETS: ReadonlyArray<[ComponentRole, string, number, ApimVersion]> = [
  ['all_in_one', 'aio', 0, '3.x'],
  ['gateway_manager', 'gwm', 10, '3.x'],
  ['gateway', 'gw', 20, '3.x'],
  ['publisher', 'pub', 30, '3.x'],
  ['devportal', 'store', 40, '3.x'],
  ['keymanager', 'km', 50, '3.x'],
  ['control_plane', 'cp', 60, '4.x'],
  ['traffic_manager', 'tm', 70, '4.x'],
  // 2.6 all-in-one nodes (carbon.xml, catalina-server.xml, jaggery portals).
  ['all_in_one', 'legacy', 80, '2.6'],
  // The node play's own nodes (issue 11), never shared with the load-balancer suites: a 4.x
  // all-in-one, a 3.x publisher pair, a 2.6 all-in-one and a 4.x distributed deployment (gateway,
  // control plane, traffic manager). Offsets skip 100/110 (lab.test's TLS stand-ins).
  ['all_in_one', 'naio', 90, '4.x'],
  ['publisher', 'npub', 120, '3.x'],
  ['all_in_one', 'nlegacy', 130, '2.6'],
  ['gateway', 'ngw', 140, '4.x'],
  ['control_plane', 'ncp', 150, '4.x'],
  ['traffic_manager', 'ntm', 160, '4.x'],
  // A 3.x distributed deployment (gateway manager, worker, key manager, traffic manager) and the
  // 4.x gateway / key manager that the simple-scalable and key-manager layouts add to naio / ncp.
  ['gateway_manager', 'ngwm', 170, '3.x'],
  ['gateway', 'ngwk', 180, '3.x'],
  ['keymanager', 'nkm', 190, '3.x'],
  ['traffic_manager', 'ntmk', 200, '3.x'],
  ['gateway', 'nsgw', 210, '4.x'],
  ['keymanager', 'nkm4', 220, '4.x'],
];

function standinsOn(machine: string, index: number): StandinSpec[] {
  return ROLE_OFFSETS.map(([role, prefix, offset, version]) => ({
    name: `${prefix}${index}`,
    machine,
    offset,
    role,
    version,
  }));
}

export const DEFAULT_LAB_SPEC: LabSpec = {
  machines: [
    { name: 'lb-bookworm', suite: 'bookworm', role: 'lb', ip: '192.168.56.11' },
    { name: 'lb-sid', suite: 'sid', role: 'lb', ip: '192.168.56.12' },
    // Dedicated load balancers for the apply-behaviour and fault-injection suites, so that they
    // never reconfigure the hosts the pattern suite is checking.
    { name: 'lb-apply', suite: 'bookworm', role: 'lb', ip: '192.168.56.13' },
    { name: 'lb-faults', suite: 'bookworm', role: 'lb', ip: '192.168.56.14' },
    { name: 'apim1', suite: 'bookworm', role: 'apim', ip: '192.168.56.21' },
    { name: 'apim2', suite: 'bookworm', role: 'apim', ip: '192.168.56.22' },
    { name: 'plusrepo', suite: 'sid', role: 'plusrepo', ip: '192.168.56.31' },
  ],
  standins: [...standinsOn('apim1', 1), ...standinsOn('apim2', 2)],
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const labSpecSchema = z
  .object({
    machines: z
      .array(
        z.object({
          name: z.string().regex(NAME),
          suite: z.enum(LAB_SUITES as [string, ...string[]]),
          role: z.enum(LAB_ROLES as [string, ...string[]]),
          ip: z.ipv4(),
        }),
      )
      .min(1),
    standins: z.array(
      z.object({
        name: z.string().regex(NAME),
        machine: z.string(),
        offset: z.number().int().min(0).max(10000),
        role: z.enum(COMPONENT_ROLES as [string, ...string[]]),
        version: z.enum(APIM_VERSIONS as [string, ...string[]]),
      }),
    ),
  })
  .superRefine((spec, ctx) => {
    const roles = new Map(spec.machines.map((m) => [m.name, m.role]));
    if (roles.size !== spec.machines.length)
      ctx.addIssue({ code: 'custom', message: 'machine names must be unique' });
    const names = new Set<string>();
    const offsets = new Set<string>();
    for (const s of spec.standins) {
      if (names.has(s.name)) ctx.addIssue({ code: 'custom', message: `stand-in ${s.name} is listed twice` });
      names.add(s.name);
      if (roles.get(s.machine) !== 'apim')
        ctx.addIssue({ code: 'custom', message: `stand-in ${s.name}: ${s.machine} is not an apim machine` });
      const key = `${s.machine}/${s.offset}`;
      if (offsets.has(key))
        ctx.addIssue({
          code: 'custom',
          message: `stand-in ${s.name}: offset ${s.offset} is taken on ${s.machine}`,
        });
      offsets.add(key);
    }
  });

/** Validates a lab spec (e.g. one read from a JSON file); throws with every problem listed. */
export function parseLabSpec(value: unknown): LabSpec {
  const result = labSpecSchema.safeParse(value);
  if (!result.success) {
    throw new Error(
      `invalid lab spec:\n${result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return result.data as LabSpec;
}
