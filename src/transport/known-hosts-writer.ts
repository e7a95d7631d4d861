import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

import { keyBlobType } from './fingerprint.js';
import { expandHome } from './known-hosts.js';

/** One known_hosts line in OpenSSH's (unhashed) format. */
export function formatKnownHostsLine(name: string, keyBlob: Buffer): string {
  return `${name} ${keyBlobType(keyBlob)} ${keyBlob.toString('base64')}\n`;
}

/** Appends run one after another so concurrent connections never interleave partial lines. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Records a host key, creating the file (0600) and its folder (0700) when missing, as ssh does.
 * Returns the path written to.
 */
export function appendKnownHost(file: string, name: string, keyBlob: Buffer): Promise<string> {
  const path = expandHome(file);
  const task = queue.then(async () => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(path, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      await handle.appendFile(prefix + formatKnownHostsLine(name, keyBlob));
    } finally {
      await handle.close();
    }
    return path;
  });
  queue = task.catch(() => undefined);
  return task;
}
