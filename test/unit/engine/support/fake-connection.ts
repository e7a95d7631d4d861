/**
 * A HostConnection to a FakeHost: no network, no shell. It recognises the engine's scripts (facts,
 * read files, install, transaction) and the few command lines the generic modules send, answers
 * them as the real host would, and records everything it received for assertions.
 */
import { encodeValue, formatRecord } from '../../../../src/remote/output-protocol.js';
import type { ExecOptions, ExecResult, HostConnection } from '../../../../src/transport/types.js';
import { sha256Of, type FakeFile, type FakeHost } from './fake-host.js';
import { requestedPaths, scriptKind, shellWords, transactionInput, type ScriptKind } from './fake-scripts.js';

export interface ReceivedCommand {
  command: string;
  become: boolean;
  /** For scripts (on stdin, or uploaded then run with `sh <path>`): which one. */
  script?: ScriptKind;
}

const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n' +
  'VERSION_CODENAME=bookworm\nID=debian\n';

const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });

export class FakeHostConnection implements HostConnection {
  readonly received: ReceivedCommand[] = [];
  readonly uploads: { name: string; path: string }[] = [];
  readonly #uploaded = new Map<string, Buffer>();
  #roundTrips = 0;
  closed = false;
  /** Answers for commands the fake does not model (the `command` module's), first match wins. */
  readonly commandAnswers: { match: RegExp; result: ExecResult }[] = [];

  constructor(readonly host: FakeHost) {}

  get hostName(): string {
    return this.host.name;
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  /** Kinds of every script run, in order. */
  get scripts(): ScriptKind[] {
    return this.received.flatMap((r) => (r.script ? [r.script] : []));
  }

  async uploadPrivate(data: Buffer, name: string): Promise<string> {
    this.#roundTrips++;
    const path = `/home/${this.host.loginUser}/.apim-provision/tmp/${name}`;
    this.#uploaded.set(path, data);
    this.uploads.push({ name, path });
    return path;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.#roundTrips++;
    const become = options.become ?? false;
    if (command === 'sh -s') {
      const script = String(options.stdin ?? '');
      const kind = scriptKind(script);
      this.received.push({ command, become, script: kind });
      return this.#runScript(kind, script, become);
    }
    const words = shellWords(command);
    if (words[0] === 'sh' && words.length === 2) {
      const script = this.#uploaded.get(words[1]!)?.toString('utf8');
      if (script === undefined) return { code: 127, stdout: '', stderr: `sh: ${words[1]}: not found` };
      const kind = scriptKind(script);
      this.received.push({ command, become, script: kind });
      return this.#runScript(kind, script, become);
    }
    this.received.push({ command, become });
    if (words[0] === 'rm' && words[1] === '-f' && words[2] && this.#uploaded.has(words[2])) {
      this.#uploaded.delete(words[2]);
      return ok();
    }
    return this.#runCommand(command);
  }

  #runScript(kind: ScriptKind, script: string, become: boolean): ExecResult {
    switch (kind) {
      case 'facts':
        return ok(this.#facts(requestedPaths(script), become));
      case 'read-files':
        return ok(this.#readFiles(requestedPaths(script)));
      case 'install':
        return this.#install();
      case 'transaction':
        return this.#transaction(script);
      default:
        return { code: 2, stdout: '', stderr: `the fake host cannot run a ${kind} script` };
    }
  }

  #fileRecord(path: string): string {
    const b64 = encodeValue(path);
    const file = this.host.files.get(path);
    if (file) {
      return `${b64} 1 file ${file.mode} ${file.owner} ${file.group} ${file.content.length} ${sha256Of(file.content)}`;
    }
    const dir = this.host.directories.get(path);
    if (dir) return `${b64} 1 directory ${dir.mode} ${dir.owner} ${dir.group} 4096 -`;
    return `${b64} 0`;
  }

  /** Exactly the records src/remote/facts.ts's script prints for this host and these paths. */
  #facts(paths: string[], become: boolean): string {
    const h = this.host;
    const lines = [
      formatRecord('os_release', encodeValue(OS_RELEASE)),
      formatRecord('arch', 'x86_64'),
      formatRecord('ipv6', h.ipv6 ? '1' : '0'),
      formatRecord('pkg', 'apt'),
      formatRecord('svc', 'systemd'),
      formatRecord('uid', become ? '0' : '1000'),
      formatRecord('user', encodeValue(become ? 'root' : h.loginUser)),
    ];
    if (h.nginx) {
      const v =
        `nginx version: nginx/${h.nginx.version}\nbuilt with OpenSSL 3.0.11\nTLS SNI support enabled\n` +
        `configure arguments: --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf ` +
        `--error-log-path=/var/log/nginx/error.log --pid-path=/run/nginx.pid ` +
        `--with-http_ssl_module --with-http_v2_module --with-stream`;
      lines.push(
        formatRecord('nginx_binary', encodeValue('/usr/sbin/nginx')),
        formatRecord('nginx_v', encodeValue(v)),
        formatRecord('nginx_conf', encodeValue('/etc/nginx/nginx.conf')),
        formatRecord('nginx_pid_path', encodeValue('/run/nginx.pid')),
        formatRecord('nginx_error_log', encodeValue('/var/log/nginx/error.log')),
      );
      if (h.nginx.running) lines.push(formatRecord('nginx_master', '4242'));
    } else if (h.candidateVersion) {
      lines.push(formatRecord('nginx_candidate', `${h.candidateVersion}-1~deb12u1`));
    }
    lines.push(formatRecord('plus_package', '0'));
    if (h.pendingReload !== undefined) lines.push(formatRecord('pending', encodeValue(h.pendingReload)));
    if (h.managedFiles.length > 0)
      lines.push(formatRecord('managed', encodeValue(h.managedFiles.map((p) => `${p}\n`).join(''))));
    for (const id of h.snapshots.keys()) lines.push(formatRecord('snapshot', id));
    for (const p of paths) lines.push(formatRecord('file', this.#fileRecord(p)));
    lines.push(formatRecord('done', '1'));
    return lines.join('\n') + '\n';
  }

  #readFiles(paths: string[]): string {
    const lines = paths.map((p) => {
      const file = this.host.files.get(p);
      return file
        ? formatRecord('content', `${encodeValue(p)} ${encodeValue(file.content)}`)
        : formatRecord('missing', encodeValue(p));
    });
    return [...lines, formatRecord('done', '1')].join('\n') + '\n';
  }

  #install(): ExecResult {
    const h = this.host;
    const already = h.nginx !== undefined;
    if (!already) h.installNginx();
    return ok(
      [
        formatRecord('installed', h.nginx!.version),
        formatRecord('status', already ? 'unchanged' : 'installed'),
      ].join('\n') + '\n',
    );
  }

  /** The transaction of src/remote/transaction.ts, step by step, against the in-memory host. */
  #transaction(script: string): ExecResult {
    const h = this.host;
    const input = transactionInput(script);
    const out: string[] = [formatRecord('run', input.runId)];
    const finish = (status: string, code: number): ExecResult => {
      out.push(formatRecord('status', status));
      return { code, stdout: out.join('\n') + '\n', stderr: '' };
    };
    for (const e of input.plan.filter((p) => p.kind === 'F')) {
      if (sha256Of(input.payloads.get(e.index) ?? Buffer.alloc(0)) !== e.want) {
        out.push(formatRecord('message', encodeValue(`payload ${e.index} is corrupt`)));
        return finish('error', 1);
      }
    }
    const pending = h.pendingReload !== undefined;
    if (pending) out.push(formatRecord('pending', encodeValue(h.pendingReload ?? '')));
    const doReload = input.reload || pending;
    const touched = new Set(input.plan.filter((p) => p.kind !== 'D').map((p) => p.path));
    const stale = h.managedFiles.filter(
      (p) => !input.managed.includes(p) && !touched.has(p) && h.files.has(p),
    );
    for (const p of stale) out.push(formatRecord('stale', encodeValue(p)));

    const conflicts: string[] = [];
    let changed = stale.length > 0;
    for (const e of input.plan) {
      const file = h.files.get(e.path);
      if (e.kind === 'D') {
        const dir = h.directories.get(e.path);
        if (!dir || dir.mode !== e.mode || dir.owner !== e.owner || dir.group !== e.group) changed = true;
        continue;
      }
      const actual = file ? sha256Of(file.content) : 'absent';
      if (e.expected !== '*' && e.expected !== actual) conflicts.push(e.path);
      if (e.kind === 'X') changed ||= file !== undefined;
      else
        changed ||=
          actual !== e.want || file?.mode !== e.mode || file.owner !== e.owner || file.group !== e.group;
    }
    if (conflicts.length > 0) {
      for (const c of conflicts) out.push(formatRecord('conflict', encodeValue(c)));
      return finish('conflict', 4);
    }
    const needStart = !changed && !pending && input.reload && h.nginx?.running !== true;
    if (!changed && !pending && !needStart) {
      h.managedFiles = [...input.managed];
      return finish('unchanged', 0);
    }

    const candidate = new Map(h.files);
    for (const e of input.plan) {
      if (e.kind === 'F')
        candidate.set(e.path, {
          content: input.payloads.get(e.index)!,
          mode: e.mode,
          owner: e.owner,
          group: e.group,
        });
      if (e.kind === 'X') candidate.delete(e.path);
    }
    for (const p of stale) candidate.delete(p);
    if (changed) {
      const refused = input.validate ? h.refuseConfig?.(candidate) : undefined;
      if (refused !== undefined) {
        out.push(formatRecord('validate_failed', encodeValue(refused)));
        return finish('validate_failed', 5);
      }
      const snapshot = new Map<string, FakeFile | undefined>();
      for (const p of [...touched, ...stale]) snapshot.set(p, h.files.get(p));
      h.snapshots.set(input.runId, snapshot);
      out.push(formatRecord('snapshot', input.runId));
      for (const e of input.plan.filter((p) => p.kind === 'D'))
        h.directories.set(e.path, { mode: e.mode, owner: e.owner, group: e.group });
      h.files.clear();
      for (const [p, f] of candidate) h.files.set(p, f);
      out.push(formatRecord('swapped', '1'));
    }
    let reloaded = false;
    let started = false;
    if (doReload && h.nginx) {
      if (h.nginx.running) reloaded = true;
      else started = h.nginx.running = true;
      out.push(formatRecord(reloaded ? 'reloaded' : 'started', '1'));
    }
    h.pendingReload = undefined;
    h.managedFiles = [...input.managed];
    h.commits.push({
      runId: input.runId,
      files: input.plan.filter((p) => p.kind === 'F').map((p) => p.path),
      deletes: [...input.plan.filter((p) => p.kind === 'X').map((p) => p.path), ...stale],
      reloaded,
      started,
    });
    out.push(formatRecord('committed', '1'));
    return finish('committed', 0);
  }

  /** The command lines of the package, service, file and command modules. */
  #runCommand(command: string): ExecResult {
    const h = this.host;
    const custom = this.commandAnswers.find((a) => a.match.test(command));
    if (custom) return custom.result;
    if (command.includes('dpkg-query')) {
      const names = [...command.matchAll(/then echo (\S+); fi/g)].map((m) => shellWords(m[1] ?? '')[0] ?? '');
      return ok(
        names
          .filter((n) => h.packages.has(n))
          .map((n) => `${n}\n`)
          .join(''),
      );
    }
    if (command.includes('apt-get')) {
      const install =
        /apt-get -y -q -o Dpkg::Options::=--force-confold (install|remove) ([^|]*?)(?: \|\||$)/.exec(command);
      for (const n of shellWords(install?.[2] ?? ''))
        if (install?.[1] === 'remove') h.packages.delete(n);
        else h.packages.add(n);
      return ok();
    }
    const active = /systemctl is-active --quiet (\S+) && echo active/.exec(command);
    if (active) return ok(h.services.get(shellWords(active[1]!)[0]!) ? 'active\n' : 'inactive\n');
    const enabled = /systemctl is-enabled --quiet (\S+) && echo yes/.exec(command);
    if (enabled) return ok(h.enabledServices.has(shellWords(enabled[1]!)[0]!) ? 'yes\n' : 'no\n');
    const guard = /^test -e (\S+) (&&|\|\|) exit 90; exit 0$/.exec(command);
    if (guard) {
      const exists = this.#exists(shellWords(guard[1]!)[0]!);
      return { code: (guard[2] === '&&') === exists ? 90 : 0, stdout: '', stderr: '' };
    }
    const steps = command.split(' && ').map(shellWords);
    if (steps.every((w) => ['systemctl', 'mkdir', 'touch', 'chmod', 'chown', 'rm'].includes(w[0] ?? ''))) {
      for (const w of steps) this.#step(w);
      return ok();
    }
    return ok();
  }

  #exists(path: string): boolean {
    return this.host.files.has(path) || this.host.directories.has(path);
  }

  #step(words: string[]): void {
    const h = this.host;
    const path = words.at(-1)!;
    switch (words[0]) {
      case 'systemctl': {
        const [, verb, name] = words;
        if (verb === 'start' || verb === 'restart' || verb === 'reload') h.services.set(name!, true);
        if (verb === 'stop') h.services.set(name!, false);
        if (verb === 'enable') h.enabledServices.add(name!);
        if (verb === 'disable') h.enabledServices.delete(name!);
        return;
      }
      case 'mkdir':
        h.directories.set(path, { mode: '0755', owner: 'root', group: 'root' });
        return;
      case 'touch':
        if (!h.files.has(path)) h.putFile(path, '');
        return;
      case 'chmod': {
        const target = h.files.get(path) ?? h.directories.get(path);
        if (target) target.mode = words[1]!;
        return;
      }
      case 'chown': {
        const target = h.files.get(path) ?? h.directories.get(path);
        const [owner, group] = words[1]!.split(':');
        if (target && owner) target.owner = owner;
        if (target && group) target.group = group;
        return;
      }
      case 'rm':
        h.files.delete(path);
        h.directories.delete(path);
        return;
    }
  }
}
