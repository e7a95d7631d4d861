/**
 * Helpers for integration tests that use the Vagrant lab brought up by global-setup.ts.
 * Every address used here is a lab container's own (or 127.0.0.1).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { openLab, type Lab } from '../../../src/lab/index.js';

let cached: Promise<Lab> | undefined;

/** The lab global-setup brought up (read from `vagrant/.lab/state.json`). */
export function getLab(): Promise<Lab> {
  cached ??= openLab();
  return cached;
}

/** Runs a command on a lab machine and returns stdout; throws with stderr when it fails. */
export async function labRun(lab: Lab, machine: string, command: string, root = false): Promise<string> {
  const result = await lab.exec(machine, command, { root });
  if (result.code !== 0)
    throw new Error(`${machine}: \`${command}\` exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** What a stand-in API-M node answers (vagrant/standin/apim_standin.py). */
export interface StandinAnswer {
  node: string;
  role: string;
  port: number;
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Size and SHA-256 of the request body the node received. */
  body_bytes: number;
  body_sha256: string;
}

export interface CurlResult {
  status: number;
  headers: string;
  body: string;
}

/**
 * `curl` run inside a lab machine (e.g. a load balancer reaching a stand-in by its container
 * address). Returns status, raw response headers and body.
 */
export async function curlFrom(lab: Lab, machine: string, args: string[]): Promise<CurlResult> {
  const quoted = args.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  const marker = '__APIM_LAB_STATUS__';
  const out = await labRun(lab, machine, `curl -sS -D - -w '\\n${marker}%{http_code}' ${quoted}`);
  const at = out.lastIndexOf(marker);
  const status = Number(out.slice(at + marker.length).trim());
  const response = out.slice(0, at).replace(/\n$/, '');
  const split = response.search(/\r?\n\r?\n/);
  const headers = split >= 0 ? response.slice(0, split) : response;
  const body = split >= 0 ? response.slice(split).replace(/^\r?\n\r?\n/, '') : '';
  return { status, headers, body };
}

export interface WebSocketExchange {
  statusLine: string;
  accept: string | undefined;
  expectedAccept: string;
  echo: string;
}

/**
 * Opens a WebSocket to host:port (TLS for wss), checks nothing itself: returns the handshake's
 * status line, the server's Sec-WebSocket-Accept next to the RFC 6455 expected value, and the
 * text of the first frame the server sends after one masked text frame `message`.
 */
export function webSocketExchange(
  host: string,
  port: number,
  tls: boolean,
  message: string,
  hostHeader = host,
): Promise<WebSocketExchange> {
  const key = randomBytes(16).toString('base64');
  const expectedAccept = createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? // The stand-ins' certificates are self-signed; SNI only for names (RFC 6066 forbids addresses).
        tlsConnect({
          host,
          port,
          rejectUnauthorized: false,
          ...(isIP(hostHeader) ? {} : { servername: hostHeader }),
        })
      : netConnect({ host, port });
    let buffer = Buffer.alloc(0);
    let handshake: { statusLine: string; accept: string | undefined } | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`WebSocket exchange with ${host}:${port} timed out`));
    }, 10_000);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      socket.write(
        `GET /lab-ws HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!handshake) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        buffer = buffer.subarray(end + 4);
        const lines = head.split('\r\n');
        const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.replace(/^[^:]+:\s*/, '');
        handshake = { statusLine: lines[0] ?? '', accept };
        if (!/^HTTP\/1\.1 101/.test(handshake.statusLine)) {
          clearTimeout(timer);
          socket.destroy();
          resolve({ ...handshake, expectedAccept, echo: '' });
          return;
        }
        socket.write(maskedTextFrame(message));
      }
      // Server frames are unmasked; short payloads only (< 126 bytes) are expected here.
      if (buffer.length >= 2) {
        const length = buffer[1]! & 0x7f;
        if (buffer.length >= 2 + length) {
          clearTimeout(timer);
          socket.destroy();
          resolve({ ...handshake, expectedAccept, echo: buffer.subarray(2, 2 + length).toString() });
        }
      }
    });
  });
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('test frames are short');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * Lab users: each integration run registers its pid; only the last run to finish takes the lab
 * down, so concurrent runs (several developers' or CI jobs on one machine) do not pull it away
 * from each other.
 */
export function registerLabUser(labDir: string): void {
  const dir = join(labDir, 'users');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, String(process.pid)), new Date().toISOString());
}

/** Unregisters this run; returns how many other live runs still use the lab. */
export function unregisterLabUser(labDir: string): number {
  const dir = join(labDir, 'users');
  rmSync(join(dir, String(process.pid)), { force: true });
  let others = 0;
  for (const entry of readdirSync(dir)) {
    const pid = Number(entry);
    if (pidAlive(pid)) others++;
    else rmSync(join(dir, entry), { force: true });
  }
  return others;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
