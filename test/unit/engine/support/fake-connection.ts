/**
 * A HostConnection to a FakeHost: no network, no shell. It recognises the engine's programs
 * (facts, ops, install, transaction, rollback) by their title line, reads their generated input
 * (test/support/script-input.ts: exactly the data the real script gets), answers as the real
 * script would against the in-memory host, and records everything for assertions. The shell logic
 * itself is tested for real in test/unit/remote and test/integration/remote-scripts.test.ts.
 */
import { encodeValue, formatRecord, type RemoteOp } from '../../../../src/remote/index.js';
import type { ExecResult, HostConnection, RunOptions } from '../../../../src/transport/types.js';
import {
  field,
  inputRows,
  payloadContents,
  programName,
  scriptInputs,
} from '../../../support/script-input.js';
import { sha256Of, type FakeFile, type FakeHost } from './fake-host.js';

export type ProgramKind = 'facts' | 'ops' | 'install' | 'transaction' | 'rollback';

/** An operation the ops program ran, with how it was run. */
export type ExecutedOp = RemoteOp & { become: boolean };

const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n' +
  'VERSION_CODENAME=bookworm\nID=debian\n';

const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
const rec = (key: string, value: string) => formatRecord(key, value);

export class FakeHostConnection implements HostConnection {
  /** Kinds of every program run, in order. */
  readonly scripts: ProgramKind[] = [];
  /** Every operation the ops program ran, in order. */
  readonly ops: ExecutedOp[] = [];
  /** What each facts program printed, in order. */
  readonly factsOutputs: string[] = [];
  #roundTrips = 0;
  closed = false;
  /** Answers for commands (`exec` argv joined by spaces, or a `shell` script), first match wins. */
  readonly commandAnswers: { match: RegExp; result: ExecResult }[] = [];

  constructor(readonly host: FakeHost) {}

  get hostName(): string {
    return this.host.name;
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  /** The commands the `command` and `shell` modules ran (argv joined, or the script). */
  get commands(): string[] {
    return this.ops.flatMap((o) =>
      o.op === 'exec' ? [o.argv.join(' ')] : o.op === 'shell' ? [o.script] : [],
    );
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async run(script: string, options: RunOptions = {}): Promise<ExecResult> {
    this.#roundTrips++;
    const become = options.become ?? false;
    const kind = programName(script) as ProgramKind | undefined;
    if (!kind)
      return { code: 2, stdout: '', stderr: 'the fake host got a script that is no apim-provision program' };
    this.scripts.push(kind);
    const inputs = scriptInputs(script);
    switch (kind) {
      case 'facts': {
        const out = this.#facts(inputs, become);
        this.factsOutputs.push(out);
        return ok(out);
      }
      case 'ops':
        return this.#ops(inputs, become);
      case 'install':
        return this.#install();
      case 'transaction':
        return this.#transaction(inputs);
      case 'rollback':
        return this.#rollback();
    }
  }

  #fileRecord(b64: string): string {
    const path = field(b64);
    const file = this.host.files.get(path);
    if (file) {
      return `${b64} 1 file ${file.mode} ${file.owner} ${file.group} ${file.content.length} ${sha256Of(file.content)}`;
    }
    const dir = this.host.directories.get(path);
    if (dir) return `${b64} 1 directory ${dir.mode} ${dir.owner} ${dir.group} 4096 -`;
    return `${b64} 0`;
  }

  /** Exactly the records src/remote/sh/facts.sh prints for this host and these queries. */
  #facts(inputs: Record<string, string>, become: boolean): string {
    const queries = inputRows(inputs, 'APIM_QUERIES');
    const lines: string[] = [];
    const basics = inputs.APIM_BASICS === '1';
    if (basics) lines.push(...this.#basics(queries, become));
    const fromRecords = basics && this.#fromRecords(queries);
    for (const [kind, arg = '', , need, max] of queries) {
      if (kind === 'diff') {
        if (this.#diffWanted(queries, arg, need ?? '', Number(max)))
          lines.push(...this.#answer('content', arg));
        continue;
      }
      const sha = fromRecords && kind === 'content' && need ? this.#recordedSum(arg, need) : undefined;
      lines.push(...(sha ? [rec('content_recorded', `${arg} ${sha}`)] : this.#answer(kind ?? '', arg)));
    }
    lines.push(rec('done', '1'));
    return lines.join('\n') + '\n';
  }

  /** OS, nginx and the tool's state; recorded paths are added to the file queries, as the script does. */
  #basics(queries: string[][], become: boolean): string[] {
    const h = this.host;
    const lines = [
      rec('os_release', encodeValue(OS_RELEASE)),
      rec('arch', 'x86_64'),
      rec('ipv6', h.ipv6 ? '1' : '0'),
      rec('pkg', 'apt'),
      rec('svc', 'systemd'),
      rec('uid', become ? '0' : '1000'),
      rec('user', encodeValue(become ? 'root' : h.loginUser)),
    ];
    if (h.nginx) {
      const v =
        `nginx version: nginx/${h.nginx.version}\nbuilt with OpenSSL 3.0.11\nTLS SNI support enabled\n` +
        `configure arguments: --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf ` +
        `--error-log-path=/var/log/nginx/error.log --pid-path=/run/nginx.pid ` +
        `--with-http_ssl_module --with-http_v2_module --with-stream`;
      lines.push(
        rec('nginx_id', h.nginx.identity),
        rec('nginx_binary', encodeValue('/usr/sbin/nginx')),
        rec('nginx_v', encodeValue(v)),
        rec('nginx_conf', encodeValue('/etc/nginx/nginx.conf')),
        rec('nginx_pid_path', encodeValue('/run/nginx.pid')),
        rec('nginx_error_log', encodeValue('/var/log/nginx/error.log')),
      );
      if (h.nginx.running) lines.push(rec('nginx_master', '4242'));
    } else if (h.candidateVersion) {
      lines.push(rec('nginx_candidate', `${h.candidateVersion}-1~deb12u1`));
    }
    lines.push(rec('plus_package', '0'));
    if (h.pendingReload !== undefined) lines.push(rec('pending', encodeValue(h.pendingReload)));
    for (const [manager, paths] of h.records) {
      for (const p of paths) {
        const note = h.recordedNote.get(p);
        lines.push(
          rec(
            'record',
            `${manager} ${encodeValue(p)} ${h.recordedSha.get(p) ?? '-'}${note ? ` ${note}` : ''}`,
          ),
        );
        queries.push(['file', encodeValue(p)]);
      }
    }
    if (h.legacyManaged) {
      lines.push(rec('legacy_file', '1'));
      for (const p of h.legacyManaged) lines.push(rec('legacy_record', encodeValue(p)));
    }
    for (const id of h.snapshots.keys()) lines.push(rec('snapshot', id));
    return lines;
  }

  /** The sha256 the records hold for the file at `field`, when it still hashes to it (apim_recorded_sum). */
  #recordedSum(field_: string, need: string): string | undefined {
    const path = field(field_);
    const file = this.host.files.get(path);
    const sha = this.host.recordedSha.get(path);
    if (!file || sha === undefined || sha256Of(file.content) !== sha) return undefined;
    if (![...this.host.records.values()].some((paths) => paths.includes(path))) return undefined;
    return need === 'note' && !this.host.recordedNote.has(path) ? undefined : sha;
  }

  /**
   * A `diff` query is answered (apim_diff_fact): a regular file the same program states, of at most
   * `max` bytes, not hashing to `expected`.
   */
  #diffWanted(queries: string[][], arg: string, expected: string, max: number): boolean {
    const path = field(arg);
    const file = this.host.files.get(path);
    if (!file || !queries.some(([kind, f = '']) => kind === 'file' && field(f) === path)) return false;
    return sha256Of(file.content) !== expected && file.content.length <= max;
  }

  /** Every `content` query given with its record's terms can be answered by it (apim_recorded_contents). */
  #fromRecords(queries: string[][]): boolean {
    const vouchable = queries.filter(([kind, , , need]) => kind === 'content' && need);
    return (
      vouchable.length > 0 && vouchable.every(([, arg = '', , need = '']) => this.#recordedSum(arg, need))
    );
  }

  #answer(kind: string, arg: string): string[] {
    const h = this.host;
    switch (kind) {
      case 'file':
        return [rec('file', this.#fileRecord(arg))];
      case 'content': {
        const file = h.files.get(field(arg));
        return [file ? rec('content', `${arg} ${encodeValue(file.content)}`) : rec('missing', arg)];
      }
      case 'package': {
        const version = h.packages.has(arg) ? (h.packageVersions.get(arg) ?? '1.0-1') : '';
        const candidate = h.candidates.get(arg) ?? version;
        return [
          rec('package', `${arg} ${version ? 1 : 0} ${encodeValue(version)} ${encodeValue(candidate)}`),
        ];
      }
      case 'service': {
        const active = h.services.get(arg) ? 'active' : 'inactive';
        return [rec('service', `${arg} ${active} ${h.enabledServices.has(arg) ? 'enabled' : 'disabled'}`)];
      }
      default:
        return [];
    }
  }

  /** src/remote/sh/ops.sh against the in-memory host: in order, stopping at the first failure. */
  #ops(inputs: Record<string, string>, become: boolean): ExecResult {
    const out: string[] = [];
    let status = 'ok';
    inputRows(inputs, 'APIM_OPS').every((row, i) => {
      const op = decodeOp(row);
      this.ops.push({ ...op, become });
      const result = this.#runOp(op);
      out.push(rec('op_rc', `${i} ${result.code}`));
      if (op.op === 'exec' || op.op === 'shell' || result.code !== 0) {
        out.push(rec('op_stdout', `${i} ${encodeValue(result.stdout)}`));
        out.push(rec('op_stderr', `${i} ${encodeValue(result.stderr)}`));
      }
      if (result.code !== 0) {
        out.push(rec('op_failed', String(i)));
        status = 'failed';
        return false;
      }
      if (result.changed !== undefined) out.push(rec('op_changed', `${i} ${result.changed ? 1 : 0}`));
      out.push(rec('op_ok', String(i)));
      return true;
    });
    out.push(rec('status', status));
    return { code: status === 'ok' ? 0 : 1, stdout: out.join('\n') + '\n', stderr: '' };
  }

  #runOp(op: RemoteOp): ExecResult & { changed?: boolean } {
    const h = this.host;
    switch (op.op) {
      case 'mkdir':
        h.directories.set(op.path, { mode: '0755', owner: 'root', group: 'root' });
        return ok();
      case 'touch':
        if (!h.files.has(op.path)) h.putFile(op.path, '');
        return ok();
      case 'chmod':
      case 'chown': {
        const target = h.files.get(op.path) ?? h.directories.get(op.path);
        if (!target) return { code: 1, stdout: '', stderr: `${op.path}: No such file or directory` };
        if (op.op === 'chmod') target.mode = op.mode;
        else {
          if (op.owner !== undefined) target.owner = op.owner;
          if (op.group !== undefined) target.group = op.group;
        }
        return ok();
      }
      case 'remove':
        h.files.delete(op.path);
        h.directories.delete(op.path);
        return ok();
      case 'exec':
      case 'shell': {
        const text = op.op === 'exec' ? op.argv.join(' ') : op.script;
        return this.commandAnswers.find((a) => a.match.test(text))?.result ?? ok();
      }
      case 'package': {
        const before = op.names.map(
          (n) => `${n}=${h.packageVersions.get(n) ?? (h.packages.has(n) ? '1.0-1' : '')}`,
        );
        for (const n of op.names) {
          if (op.action === 'remove') {
            h.packages.delete(n);
            h.packageVersions.delete(n);
          } else {
            h.packages.add(n);
            const candidate = h.candidates.get(n);
            if (candidate) h.packageVersions.set(n, candidate);
          }
        }
        const after = op.names.map(
          (n) => `${n}=${h.packageVersions.get(n) ?? (h.packages.has(n) ? '1.0-1' : '')}`,
        );
        return { ...ok(), changed: before.join() !== after.join() };
      }
      case 'service': {
        if (op.action === 'start' || op.action === 'restart' || op.action === 'reload')
          h.services.set(op.name, true);
        if (op.action === 'stop') h.services.set(op.name, false);
        if (op.action === 'enable') h.enabledServices.add(op.name);
        if (op.action === 'disable') h.enabledServices.delete(op.name);
        return ok();
      }
    }
  }

  #install(): ExecResult {
    const h = this.host;
    const already = h.nginx !== undefined;
    if (!already) h.installNginx();
    return ok(
      [rec('installed', h.nginx!.version), rec('status', already ? 'unchanged' : 'installed')].join('\n') +
        '\n',
    );
  }

  /** src/remote/sh/transaction.sh, step by step, against the in-memory host. */
  #transaction(inputs: Record<string, string>): ExecResult {
    const h = this.host;
    h.beforeTransaction?.();
    const runId = inputs.RUN_ID ?? '';
    const plan = inputRows(inputs, 'APIM_PLAN').map(
      ([kind, index, mode, owner, group, expected, want, path]) => ({
        kind: kind as 'D' | 'F' | 'X',
        index: Number(index),
        mode: mode ?? '-',
        owner: owner ?? '-',
        group: group ?? '-',
        expected: expected ?? '-',
        want: want ?? '-',
        path: field(path ?? ''),
      }),
    );
    const payloads = payloadContents(inputs);
    const out: string[] = [rec('run', runId)];
    const finish = (status: string, code: number): ExecResult => {
      out.push(rec('status', status));
      return { code, stdout: out.join('\n') + '\n', stderr: '' };
    };
    for (const e of plan.filter((p) => p.kind === 'F')) {
      if (sha256Of(payloads.get(e.index) ?? Buffer.alloc(0)) !== e.want) {
        out.push(rec('message', encodeValue(`payload ${e.index} is corrupt`)));
        return finish('error', 1);
      }
    }
    const pending = h.pendingReload !== undefined;
    if (pending) out.push(rec('pending', encodeValue(h.pendingReload ?? '')));
    const reload = inputs.RELOAD_REQUESTED === '1';
    const doReload = reload || pending;

    const conflicts: string[] = [];
    let changed = false;
    for (const e of plan) {
      const file = h.files.get(e.path);
      if (e.kind === 'D') {
        const dir = h.directories.get(e.path);
        if (!dir || dir.mode !== e.mode || dir.owner !== e.owner || dir.group !== e.group) changed = true;
        continue;
      }
      const actual = file ? sha256Of(file.content) : 'absent';
      if (
        e.expected !== actual &&
        !(e.kind === 'F' && actual === e.want) &&
        !(e.kind === 'X' && actual === 'absent')
      )
        conflicts.push(e.path);
      if (e.kind === 'X') changed ||= file !== undefined;
      else
        changed ||=
          actual !== e.want || file?.mode !== e.mode || file.owner !== e.owner || file.group !== e.group;
    }
    if (conflicts.length > 0) {
      for (const c of conflicts) out.push(rec('conflict', encodeValue(c)));
      return finish('conflict', 4);
    }
    const writeRecords = () => {
      const managers = (inputs.APIM_RECORD_MANAGERS ?? '').split(' ').filter(Boolean);
      if (managers.length === 0) return;
      for (const m of managers) h.records.set(m, []);
      for (const [m, p, sha, note] of inputRows(inputs, 'APIM_RECORDS')) {
        h.records.get(m!)!.push(field(p!));
        if (sha && sha !== '-') h.recordedSha.set(field(p!), sha);
        else h.recordedSha.delete(field(p!));
        // The records file keeps the note field as it came (base64); the facts print it back.
        if (note) h.recordedNote.set(field(p!), note);
        else h.recordedNote.delete(field(p!));
      }
      h.legacyManaged = undefined;
    };
    const needStart = !changed && !pending && reload && h.nginx?.running !== true;
    if (!changed && !pending && !needStart) {
      writeRecords();
      return finish('unchanged', 0);
    }

    const candidate = new Map(h.files);
    for (const e of plan) {
      if (e.kind === 'F')
        candidate.set(e.path, {
          content: payloads.get(e.index)!,
          mode: e.mode,
          owner: e.owner,
          group: e.group,
        });
      if (e.kind === 'X') candidate.delete(e.path);
    }
    const touched = plan.filter((p) => p.kind !== 'D').map((p) => p.path);
    if (changed) {
      const refused = inputs.VALIDATE === '1' ? h.refuseConfig?.(candidate) : undefined;
      if (refused !== undefined) {
        out.push(rec('validate_failed', encodeValue(refused)));
        return finish('validate_failed', 5);
      }
      const snapshot = new Map<string, FakeFile | undefined>();
      for (const p of touched) snapshot.set(p, h.files.get(p));
      h.snapshots.set(runId, snapshot);
      out.push(rec('snapshot', runId));
      for (const e of plan.filter((p) => p.kind === 'D'))
        h.directories.set(e.path, { mode: e.mode, owner: e.owner, group: e.group });
      for (const e of plan.filter((p) => p.kind === 'X' && h.files.has(p.path)))
        out.push(rec('removed', encodeValue(e.path)));
      h.files.clear();
      for (const [p, f] of candidate) h.files.set(p, f);
      out.push(rec('swapped', '1'));
    }
    if (doReload && h.nginx?.running && h.failReload !== undefined) {
      // The reload is refused: the snapshot goes back, nginx keeps the old configuration.
      out.push(rec('reload_failed', encodeValue(h.failReload)));
      for (const [p, f] of h.snapshots.get(runId) ?? []) {
        if (f) h.files.set(p, f);
        else h.files.delete(p);
      }
      out.push(rec('rolled_back', '1'));
      return finish('reload_failed', 6);
    }
    writeRecords();
    let reloaded = false;
    let started = false;
    if (doReload && h.nginx) {
      if (h.nginx.running) reloaded = true;
      else started = h.nginx.running = true;
      out.push(rec(reloaded ? 'reloaded' : 'started', '1'));
    }
    h.pendingReload = undefined;
    h.commits.push({
      runId,
      files: plan.filter((p) => p.kind === 'F').map((p) => p.path),
      deletes: plan.filter((p) => p.kind === 'X').map((p) => p.path),
      reloaded,
      started,
      nginxSeen: { identity: inputs.NGINX_SEEN_ID ?? '', text: inputs.NGINX_SEEN_V ?? '' },
    });
    out.push(rec('committed', '1'));
    return finish('committed', 0);
  }

  /** src/remote/sh/rollback.sh: the newest snapshot put back, nginx reloaded. */
  #rollback(): ExecResult {
    const h = this.host;
    const id = [...h.snapshots.keys()].at(-1);
    if (id === undefined) return { code: 7, stdout: rec('status', 'no_snapshot') + '\n', stderr: '' };
    for (const [path, file] of h.snapshots.get(id)!) {
      if (file) h.files.set(path, file);
      else h.files.delete(path);
    }
    h.snapshots.delete(id);
    const lines = [
      rec('undone', id),
      rec('reloaded', '1'),
      rec('rolled_back_to', id),
      rec('status', 'rolled_back'),
    ];
    return ok(lines.join('\n') + '\n');
  }
}

function decodeOp(row: string[]): RemoteOp {
  const [name, ...raw] = row;
  const f = raw.map(field);
  const optional = (v: string | undefined) => (v ? v : undefined);
  switch (name ?? '') {
    case 'mkdir':
    case 'touch':
    case 'remove':
      return { op: name as 'mkdir' | 'touch' | 'remove', path: f[0]! };
    case 'chmod':
      return { op: 'chmod', path: f[0]!, mode: f[1]! };
    case 'chown': {
      const owner = optional(f[1]);
      const group = optional(f[2]);
      return { op: 'chown', path: f[0]!, ...(owner ? { owner } : {}), ...(group ? { group } : {}) };
    }
    case 'exec': {
      const chdir = optional(f[0]);
      return { op: 'exec', argv: f.slice(1), ...(chdir ? { chdir } : {}) };
    }
    case 'shell': {
      const chdir = optional(f[0]);
      return { op: 'shell', script: f[1]!, ...(chdir ? { chdir } : {}) };
    }
    case 'package':
      return {
        op: 'package',
        manager: f[0] as 'apt',
        action: f[1] as 'install' | 'remove' | 'latest',
        names: f.slice(2),
      };
    case 'service':
      return {
        op: 'service',
        manager: f[0] as 'systemd',
        action: f[1] as 'start',
        name: f[2]!,
      };
    default:
      throw new Error(`the fake host does not know the operation ${name ?? ''}`);
  }
}
