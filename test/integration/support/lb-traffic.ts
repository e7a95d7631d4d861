/**
 * Client-side probes of a provisioned load balancer, as the end-to-end tests use them: HTTPS
 * requests answered by stand-in API-M nodes, plain HTTP (redirects, pass-through), TLS handshakes
 * at one protocol version, and the certificate served for a name. Every probe opens a fresh
 * connection, so balancing decisions are made per request.
 */
import { writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate, type SecureVersion } from 'node:tls';
import type { Lab } from '../../../src/lab/index.js';
import { requestThroughLb } from '../../../src/lab/request-through-lb.js';
import { labRun, type StandinAnswer } from './lab.js';

export interface NodeReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The stand-in's JSON body: which node answered and what reached it. */
  answer: StandinAnswer;
}

function parseAnswer(status: number, body: string, where: string): StandinAnswer {
  try {
    return JSON.parse(body) as StandinAnswer;
  } catch {
    throw new Error(`${where} answered ${status} without a stand-in body: ${body.slice(0, 300)}`);
  }
}

/** One HTTPS request through the load balancer (SNI and Host = hostname), verified against `ca`. */
export async function askNode(opts: {
  address: string;
  hostname: string;
  ca: string;
  port?: number;
  path?: string;
  cookie?: string;
}): Promise<NodeReply> {
  const res = await requestThroughLb({
    address: opts.address,
    port: opts.port ?? 443,
    hostname: opts.hostname,
    path: opts.path ?? '/e2e',
    ca: opts.ca,
    ...(opts.cookie ? { headers: { Cookie: opts.cookie } } : {}),
  });
  const where = `https://${opts.hostname}:${opts.port ?? 443} via ${opts.address}`;
  return { status: res.status, headers: res.headers, answer: parseAnswer(res.status, res.body, where) };
}

/** `count` requests one after another, each on a new connection; returns the answering node names. */
export async function nodesAnswering(count: number, ask: () => Promise<NodeReply>): Promise<string[]> {
  const nodes: string[] = [];
  for (let i = 0; i < count; i++) nodes.push((await ask()).answer.node);
  return nodes;
}

/** A request header as it reached the stand-in (header names compared case-insensitively). */
export function forwardedHeader(answer: StandinAnswer, name: string): string | undefined {
  const key = Object.keys(answer.headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : answer.headers[key];
}

/** The JSESSIONID cookie pair (`JSESSIONID=...`) from a response's Set-Cookie, if any. */
export function sessionCookie(headers: NodeReply['headers']): string | undefined {
  const raw = headers['set-cookie'];
  const cookies = Array.isArray(raw) ? raw : raw ? [raw] : [];
  for (const c of cookies) {
    const pair = c.split(';')[0]?.trim();
    if (pair && /^JSESSIONID=/i.test(pair)) return pair;
  }
  return undefined;
}

export interface PlainReply {
  status: number;
  location: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method?: string;
  body?: Buffer;
  /** HTTPS with SNI = hostname, verified against this CA; plain HTTP without it. */
  ca?: string;
  headers?: Record<string, string>;
}

/**
 * One request to the load balancer with the given Host header (and SNI over HTTPS), any method,
 * any body, any answer: for statuses that come from nginx itself (403, 413, 421, 502).
 */
export function send(
  address: string,
  port: number,
  hostname: string,
  path: string,
  options: SendOptions = {},
): Promise<PlainReply> {
  const request = options.ca ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port,
        path,
        method: options.method ?? 'GET',
        headers: {
          Host: hostname,
          ...(options.body ? { 'Content-Length': String(options.body.length) } : {}),
          ...options.headers,
        },
        agent: false,
        timeout: 20_000,
        ...(options.ca ? { servername: hostname, ca: options.ca } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            headers: res.headers,
            body,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${address}:${port} in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One plain HTTP GET to the load balancer with the given Host header. */
export function plainGet(address: string, port: number, hostname: string, path: string): Promise<PlainReply> {
  return send(address, port, hostname, path);
}

/** The stand-in's JSON answer in a reply (fails with the reply when nginx answered instead). */
export function answerOf(reply: PlainReply, where: string): StandinAnswer {
  return parseAnswer(reply.status, reply.body, where);
}

/**
 * The CAs of the lab's apim machines (vagrant/standin/standin-ctl makes one per machine and signs
 * the stand-ins' `node` certificates with it), as one PEM bundle for apim_upstream_ca_file.
 */
export async function standinCaBundle(lab: Lab): Promise<string> {
  const machines = Object.values(lab.machines).filter((m) => m.role === 'apim');
  const pems = await Promise.all(machines.map((m) => labRun(lab, m.name, 'cat /etc/apim-standin/ca.crt')));
  const file = join(lab.dir, 'standin-ca-bundle.pem');
  writeFileSync(file, pems.join(''));
  return file;
}

export interface HandshakeResult {
  ok: boolean;
  /** Negotiated protocol when the handshake succeeded. */
  protocol?: string | null;
  /** OpenSSL error code when it failed, e.g. ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION. */
  errorCode?: string;
  errorMessage?: string;
  /** Whether the certificate verified against the CA given (only when a CA was given). */
  authorized?: boolean;
  certificate?: PeerCertificate;
}

/**
 * A TLS handshake pinned to one protocol version. The client allows every cipher at security
 * level 0, so that a refusal of TLS 1.0/1.1 comes from the server, not from Node's own defaults.
 */
export function handshake(opts: {
  address: string;
  port?: number;
  servername: string;
  version: SecureVersion;
  ca?: string;
}): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: opts.address,
      port: opts.port ?? 443,
      servername: opts.servername,
      minVersion: opts.version,
      maxVersion: opts.version,
      ciphers: 'DEFAULT@SECLEVEL=0',
      rejectUnauthorized: false,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, errorCode: 'TIMEOUT', errorMessage: 'handshake timed out' });
    }, 10_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const result: HandshakeResult = {
        ok: true,
        protocol: socket.getProtocol(),
        certificate: socket.getPeerCertificate(),
      };
      if (opts.ca) result.authorized = socket.authorized;
      socket.destroy();
      resolve(result);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, errorCode: e.code ?? 'UNKNOWN', errorMessage: e.message });
    });
  });
}

/** `changed=N` of one host's PLAY RECAP line in the CLI output. */
export function recapChanged(output: string, host: string): number | undefined {
  const line = output.split('\n').find((l) => l.startsWith(`${host} :`) && /\bchanged=\d+/.test(l));
  const m = line?.match(/\bchanged=(\d+)/);
  return m ? Number(m[1]) : undefined;
}
