import { readFileSync } from 'node:fs';
import type { Inventory } from '../domain/types.js';
import { Redactor } from '../report/index.js';
import type { Secret } from '../domain/secret.js';

/** A redactor that knows every secret of the inventory, so no output can carry one. */
export function redactorFor(inventory: Inventory, extra: (Secret | undefined)[] = []): Redactor {
  const redactor = new Redactor();
  for (const host of inventory.hosts.values()) {
    const c = host.connection;
    for (const s of [c.password, c.becomePassword, c.privateKeyPassphrase]) redactor.add(s);
  }
  for (const lb of inventory.loadBalancers) {
    if (lb.tls.mode === 'files') redactor.add(lb.tls.keyPassphrase);
    if (lb.plusLicence) {
      for (const f of [lb.plusLicence.repoKeyFile, lb.plusLicence.jwtFile]) {
        if (f) redactor.add(readFileSync(f, 'utf8').trim());
      }
    }
  }
  for (const s of extra) redactor.add(s);
  return redactor;
}
