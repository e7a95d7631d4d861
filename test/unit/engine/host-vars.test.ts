// What templates see on a host: groups and hostvars are the inventory's, built once per run (they
// grow with the inventory), and templated values still render when read.
import { describe, expect, it } from 'vitest';

import { templateVars } from '../../../src/engine/host-vars.js';
import { FakeHostConnection } from './support/fake-connection.js';
import { FakeHost } from './support/fake-host.js';
import {
  firstPlay,
  inventoryYaml,
  loadTestInventory,
  openSession,
  playbookFrom,
  runOptions,
} from './support/engine-fixtures.js';

const PLAY = '- hosts: loadbalancers\n  tasks:\n    - debug:\n        msg: hi\n';

async function varsOf(yaml: string) {
  const inventory = loadTestInventory(yaml);
  const play = firstPlay(playbookFrom(PLAY));
  const options = runOptions();
  const of = async (name: string) =>
    templateVars(
      await openSession(inventory, name, new FakeHostConnection(FakeHost.withNginx(name)), options),
      play,
    );
  return { lb1: await of('lb1'), lb2: await of('lb2') };
}

describe('templateVars', () => {
  it('gives every host the same groups and hostvars of the inventory', async () => {
    const { lb1, lb2 } = await varsOf(inventoryYaml(['lb1', 'lb2']));
    expect(lb1.groups).toMatchObject({
      all: ['lb1', 'lb2', 'apim1'],
      loadbalancers: ['lb1', 'lb2'],
    });
    expect((lb1.hostvars as Record<string, Record<string, unknown>>).lb2!.ansible_host).toBe('127.0.0.3');
    expect(lb1.inventory_hostname).toBe('lb1');
    expect(lb2.inventory_hostname).toBe('lb2');
    // One object for the whole run, not a copy per host.
    expect(lb2.groups).toBe(lb1.groups);
    expect(lb2.hostvars).toBe(lb1.hostvars);
  });

  it("lists a group's hosts with those of its child groups, and every host in all, as Ansible does", async () => {
    const yaml = inventoryYaml(['lb1']).replace(
      '    loadbalancers:\n',
      '    loadbalancers:\n      children:\n        east:\n          hosts:\n            lb2:\n              ansible_host: 127.0.0.9\n',
    );
    const { lb1 } = await varsOf(yaml);
    // lb2 comes first in the file (loadbalancers' children are written before its hosts).
    expect(lb1.groups).toEqual({
      all: ['lb2', 'lb1', 'apim1'],
      loadbalancers: ['lb1', 'lb2'],
      east: ['lb2'],
      apim_all_in_one: ['apim1'],
      // Ansible always has it, empty when every host is in a group.
      ungrouped: [],
    });
  });

  it('still renders templated variables that read them, lazily', async () => {
    const { lb1 } = await varsOf(
      inventoryYaml(['lb1', 'lb2'], {
        peers: '{{ groups.loadbalancers | join(",") }} of {{ inventory_hostname }}',
      }),
    );
    expect(lb1.peers).toBe('lb1,lb2 of lb1');
    const hostvars = lb1.hostvars as Record<string, Record<string, unknown>>;
    expect(hostvars.lb2!.peers).toBe('lb1,lb2 of lb1');
  });
});
