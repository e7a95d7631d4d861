import { request } from 'node:https';

export interface LbResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTPS request to a load balancer's address with the right SNI and Host header, verified
 * against the given CA (the local CA that signed the load balancer's certificate).
 */
export function requestThroughLb(opts: {
  address: string;
  port?: number;
  hostname: string;
  path?: string;
  ca?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}): Promise<LbResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: opts.address,
        port: opts.port ?? 443,
        path: opts.path ?? '/',
        method: 'GET',
        servername: opts.hostname,
        headers: { Host: opts.hostname, ...opts.headers },
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
        timeout: opts.timeoutMs ?? 10_000,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from ${opts.address}:${opts.port ?? 443} in time`)),
    );
    req.on('error', reject);
    req.end();
  });
}
