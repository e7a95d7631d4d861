import { randomBytes } from 'node:crypto';

import type { Client, SFTPWrapper, Stats } from 'ssh2';

/** Folder under the login user's home where private files are staged. */
export const PRIVATE_DIR = '.apim-provision/tmp';

/** SFTP status code for "no such file". */
const NO_SUCH_FILE = 2;

/**
 * Uploads files that must never be readable by others (keys, licences) over one SFTP session,
 * opened on first use: into a 0700 folder, each file created 0600 and exclusively (`wx`), so it
 * never exists with a wider mode and a planted file or symlink is refused.
 */
export class PrivateUploader {
  #session: Promise<{ sftp: SFTPWrapper; dir: string }> | undefined;

  constructor(private readonly client: Client) {}

  async upload(data: Buffer, name: string): Promise<string> {
    const { sftp, dir } = await (this.#session ??= this.#open());
    const safeName = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '') || 'file';
    const path = `${dir}/${safeName}.${randomBytes(6).toString('hex')}`;
    const handle = await call<Buffer>((cb) => sftp.open(path, 'wx', { mode: 0o600 }, cb));
    try {
      let offset = 0;
      while (offset < data.length) {
        const length = Math.min(32 * 1024, data.length - offset);
        await call<number>((cb) =>
          sftp.write(handle, data, offset, length, offset, (err) => cb(err, length)),
        );
        offset += length;
      }
    } finally {
      await call<void>((cb) => sftp.close(handle, (err) => cb(err)));
    }
    return path;
  }

  /** Ends the SFTP session, if one was opened. */
  end(): void {
    this.#session?.then(({ sftp }) => sftp.end()).catch(() => undefined);
  }

  async #open(): Promise<{ sftp: SFTPWrapper; dir: string }> {
    const sftp = await call<SFTPWrapper>((cb) => this.client.sftp(cb));
    const home = await call<string>((cb) => sftp.realpath('.', cb));
    let dir = home.replace(/\/$/, '');
    for (const part of PRIVATE_DIR.split('/')) {
      dir = `${dir}/${part}`;
      await ensurePrivateDir(sftp, dir);
    }
    return { sftp, dir };
  }
}

async function ensurePrivateDir(sftp: SFTPWrapper, dir: string): Promise<void> {
  const stats = await call<Stats>((cb) => sftp.lstat(dir, cb)).catch((error: { code?: number }) => {
    if (error.code === NO_SUCH_FILE) return undefined;
    throw error;
  });
  if (stats === undefined) {
    await call<void>((cb) => sftp.mkdir(dir, { mode: 0o700 }, (err) => cb(err)));
  } else if (!stats.isDirectory()) {
    throw new Error(`${dir} exists and is not a directory (a symlink is refused too)`);
  }
  // mkdir's mode passes through the server's umask, and an existing folder may be wider.
  if (stats === undefined || (stats.mode & 0o777) !== 0o700) {
    await call<void>((cb) => sftp.chmod(dir, 0o700, (err) => cb(err)));
  }
}

/** Adapts an ssh2 callback API to a promise. */
function call<T>(start: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value)));
  });
}
