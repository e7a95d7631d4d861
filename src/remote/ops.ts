import type { PackageManager, ServiceManagerKind } from './facts.js';
import { Records, decodeText } from './output-protocol.js';
import { ScriptInput, text, token, type Field } from './script-input.js';
import { program } from './scripts.js';
import { ACCOUNT_NAME, FILE_MODE, PACKAGE_NAME, SERVICE_NAME, assertPath, assertValue } from './values.js';

/**
 * An operation a module asks for on a host, as data. The ops program (src/remote/sh/ops.sh) runs
 * them in order and stops at the first failure; no operation is ever shell text, except `shell`,
 * whose script is the user's own (the `shell` module's whole point).
 */
export type RemoteOp =
  /** The folder and its parents. */
  | { op: 'mkdir'; path: string }
  /** An empty file, when nothing is at the path. */
  | { op: 'touch'; path: string }
  | { op: 'chmod'; path: string; mode: string }
  /** An owner or group left out is kept. */
  | { op: 'chown'; path: string; owner?: string; group?: string }
  /** The path, recursively (a link is removed, never followed). */
  | { op: 'remove'; path: string }
  /** A program and its arguments, run without a shell. */
  | { op: 'exec'; argv: string[]; chdir?: string }
  /** A script run by `sh -c`. */
  | { op: 'shell'; script: string; chdir?: string }
  | { op: 'package'; manager: PackageManager; action: 'install' | 'remove' | 'latest'; names: string[] }
  | {
      op: 'service';
      manager: Exclude<ServiceManagerKind, 'none'>;
      action: 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable';
      name: string;
    };

/** The fields of one op's input line (the one place where ops turn into script data). */
function opFields(op: RemoteOp): Field[] {
  switch (op.op) {
    case 'mkdir':
    case 'touch':
    case 'remove':
      return [text(assertPath(op.path, 'path'))];
    case 'chmod':
      return [text(assertPath(op.path, 'path')), text(assertValue(op.mode, FILE_MODE, 'mode'))];
    case 'chown':
      return [
        text(assertPath(op.path, 'path')),
        text(op.owner === undefined ? '' : assertValue(op.owner, ACCOUNT_NAME, 'owner')),
        text(op.group === undefined ? '' : assertValue(op.group, ACCOUNT_NAME, 'group')),
      ];
    case 'exec':
      if (op.argv.length === 0) throw new Error('exec needs a program');
      return [
        text(op.chdir === undefined ? '' : assertPath(op.chdir, 'chdir')),
        ...op.argv.map((a) => text(a)),
      ];
    case 'shell':
      return [text(op.chdir === undefined ? '' : assertPath(op.chdir, 'chdir')), text(op.script)];
    case 'package':
      if (op.names.length === 0) throw new Error('package needs a name');
      return [
        text(op.manager),
        text(op.action),
        ...op.names.map((n) => text(assertValue(n, PACKAGE_NAME, 'package name'))),
      ];
    case 'service':
      return [text(op.manager), text(op.action), text(assertValue(op.name, SERVICE_NAME, 'service name'))];
  }
}

export function opsScript(ops: readonly RemoteOp[]): string {
  if (ops.length === 0) throw new Error('no operations to run');
  const input = new ScriptInput().rows(
    'APIM_OPS',
    ops.map((op) => [token(op.op), ...opFields(op)]),
  );
  return program('ops', `${ops.map((o) => o.op).join(', ')}`, input);
}

export interface OpResult {
  ok: boolean;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** Whether the op changed something, when the host can tell (packages). */
  changed?: boolean;
}

export interface OpsResult {
  /** One per op that ran, in order; the last one failed when `ok` is false. */
  results: OpResult[];
  ok: boolean;
  messages: string[];
}

export function parseOpsResult(stdout: string, stderr: string): OpsResult {
  const r = Records.parse(stdout);
  const results = new Map<number, OpResult>();
  const at = (value: string): [OpResult, string] => {
    const [index = '', ...rest] = value.split(' ');
    const i = Number(index);
    let result = results.get(i);
    if (!result) {
      result = { ok: false };
      results.set(i, result);
    }
    return [result, rest.join(' ')];
  };
  for (const v of r.all('op_rc')) {
    const [res, code] = at(v);
    res.exitCode = Number(code);
  }
  for (const v of r.all('op_stdout')) {
    const [res, data] = at(v);
    res.stdout = decodeText(data);
  }
  for (const v of r.all('op_stderr')) {
    const [res, data] = at(v);
    res.stderr = decodeText(data);
  }
  for (const v of r.all('op_changed')) {
    const [res, flag] = at(v);
    res.changed = flag === '1';
  }
  for (const v of r.all('op_ok')) at(v)[0].ok = true;
  const ok = r.get('status') === 'ok';
  const messages = r.messages();
  if (r.get('status') === undefined) {
    messages.push('the operations script ended without reporting a status');
    if (stderr.trim()) messages.push(stderr.trim().split('\n').slice(-20).join('\n'));
  }
  const ordered = [...results.entries()].sort(([a], [b]) => a - b).map(([, res]) => res);
  return { results: ordered, ok: ok && ordered.every((res) => res.ok), messages };
}
