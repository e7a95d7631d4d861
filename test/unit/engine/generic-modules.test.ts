/**
 * The generic modules (copy, template, file, command, service, package), handlers, `when` and
 * failure handling, run by the real engine against an in-memory host. No network.
 */
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/domain/types.js';
import { runPlayOnHost } from '../../../src/engine/run-play-on-host.js';
import type { RunOptions } from '../../../src/engine/run-options.js';
import { FakeHostConnection } from './support/fake-connection.js';
import { FakeHost } from './support/fake-host.js';
import {
  firstPlay,
  inventoryYaml,
  loadTestInventory,
  openSession,
  playbookFrom,
  RecordingObserver,
  runOnHost,
  runOptions,
} from './support/engine-fixtures.js';

const inventory = loadTestInventory(inventoryYaml());

/** Runs a one-play playbook (tasks and handlers given as YAML lines indented by 4) on a host. */
async function runPlay(
  host: FakeHost,
  tasks: string,
  options: Partial<RunOptions> & {
    handlers?: string;
    files?: Record<string, string>;
    hostName?: string;
    inventory?: Inventory;
  } = {},
) {
  const { handlers, files, hostName, inventory: inv = inventory, ...runOpts } = options;
  const yaml =
    `- name: test\n  hosts: all\n  tasks:\n${tasks}` + (handlers ? `  handlers:\n${handlers}` : '');
  const result = await runOnHost(host, playbookFrom(yaml, files), runOpts, inv, hostName);
  const status = (name: string) => result.tasks.find((t) => t.task === name)?.status;
  return { ...result, status };
}

const COPY = `    - name: motd
      copy:
        dest: /etc/motd
        content: "hello\\n"
        mode: '0640'
`;

describe('copy and template', () => {
  it('creates the file (changed), then reports ok; check mode writes nothing', async () => {
    const host = new FakeHost('lb1');
    const check = await runPlay(host, COPY, { check: true });
    expect(check.status('motd')).toBe('changed');
    expect(host.files.has('/etc/motd')).toBe(false);
    expect(check.conn.scripts.every((s) => s === 'facts')).toBe(true);

    const first = await runPlay(host, COPY);
    expect(first.status('motd')).toBe('changed');
    expect(host.files.get('/etc/motd')).toMatchObject({ mode: '0640', owner: 'root', group: 'root' });
    expect(host.text('/etc/motd')).toBe('hello\n');
    expect(host.commits).toHaveLength(1);

    const second = await runPlay(host, COPY);
    expect(second.status('motd')).toBe('ok');
    expect(host.commits).toHaveLength(1);
  });

  it('shows a unified diff of a changed file with --diff', async () => {
    const host = new FakeHost('lb1');
    host.putFile('/etc/motd', 'bye\n', '0640');
    const { tasks } = await runPlay(host, COPY, { check: true, diff: true });
    const change = tasks[0]?.changes[0];
    expect(change).toMatchObject({ action: 'update', summary: 'content' });
    expect(change?.diff).toContain('-bye');
    expect(change?.diff).toContain('+hello');
  });

  it('renders a template with the host variables', async () => {
    const host = new FakeHost('lb1');
    const tasks = `    - name: greeting
      template:
        src: greeting.j2
        dest: /etc/greeting
`;
    const run = await runPlay(host, tasks, { files: { 'greeting.j2': 'hello {{ inventory_hostname }}\n' } });
    expect(run.status('greeting')).toBe('changed');
    expect(host.text('/etc/greeting')).toBe('hello lb1\n');
  });
});

describe('file', () => {
  const DIR = `    - name: dir
      file:
        path: /srv/app
        state: directory
        mode: '0750'
`;
  it('creates a folder with its mode, then is ok', async () => {
    const host = new FakeHost('lb1');
    expect((await runPlay(host, DIR)).status('dir')).toBe('changed');
    expect(host.directories.get('/srv/app')?.mode).toBe('0750');
    expect((await runPlay(host, DIR)).status('dir')).toBe('ok');
  });

  it('removes a path with state absent, then is ok', async () => {
    const host = new FakeHost('lb1');
    host.putFile('/tmp/old', 'x');
    const ABSENT = `    - name: gone
      file:
        path: /tmp/old
        state: absent
`;
    expect((await runPlay(host, ABSENT)).status('gone')).toBe('changed');
    expect(host.files.has('/tmp/old')).toBe(false);
    expect((await runPlay(host, ABSENT)).status('gone')).toBe('ok');
  });

  it('fails on a missing file with state file, and the host stops there', async () => {
    const host = new FakeHost('lb1');
    const tasks = `    - name: must exist
      file:
        path: /etc/missing
        state: file
${DIR}`;
    const run = await runPlay(host, tasks);
    expect(run.failed).toBe(true);
    expect(run.tasks.map((t) => [t.task, t.status])).toEqual([['must exist', 'failed']]);
    expect(run.tasks[0]?.message).toContain('/etc/missing does not exist');
    expect(host.directories.has('/srv/app')).toBe(false);
  });
});

describe('command', () => {
  it('runs and reports changed; is skipped in check mode without running', async () => {
    const host = new FakeHost('lb1');
    const tasks = `    - name: hello
      command: echo hello
`;
    const run = await runPlay(host, tasks);
    expect(run.status('hello')).toBe('changed');
    expect(run.conn.ops).toEqual([{ op: 'exec', argv: ['echo', 'hello'], become: true }]);

    const check = await runPlay(host, tasks, { check: true });
    expect(check.status('hello')).toBe('skipped');
    expect(check.conn.ops).toEqual([]);
  });

  it('does not run when `creates` exists', async () => {
    const host = new FakeHost('lb1');
    host.putFile('/var/lib/done', '');
    const run = await runPlay(
      host,
      `    - name: once
      command:
        cmd: /usr/bin/setup
        creates: /var/lib/done
`,
    );
    expect(run.status('once')).toBe('ok');
    expect(run.conn.ops).toEqual([]);
  });

  it('fails with the command output when it exits non-zero', async () => {
    const host = new FakeHost('lb1');
    const tasks = `    - name: broken
      command: /usr/bin/false-thing
`;
    const conn = new FakeHostConnection(host);
    conn.commandAnswers.push({ match: /false-thing/, result: { code: 3, stdout: '', stderr: 'it broke' } });
    const session = await openSession(inventory, 'lb1', conn, runOptions());
    const play = firstPlay(playbookFrom(`- name: test\n  hosts: all\n  tasks:\n${tasks}`));
    const result = await runPlayOnHost(play, session, new RecordingObserver());
    expect(result.failed).toBe(true);
    expect(result.tasks[0]).toMatchObject({
      status: 'failed',
      message: '/usr/bin/false-thing failed (exit 3):\nit broke',
    });
  });
});

describe('service and package', () => {
  const STARTED = `    - name: svc
      service:
        name: cron
        state: started
`;
  it('starts an inactive service (changed), then is ok', async () => {
    const host = new FakeHost('lb1');
    host.services.set('cron', false);
    const first = await runPlay(host, STARTED);
    expect(first.status('svc')).toBe('changed');
    expect(first.conn.ops).toEqual([
      { op: 'service', manager: 'systemd', action: 'start', name: 'cron', become: true },
    ]);
    expect(host.services.get('cron')).toBe(true);
    expect((await runPlay(host, STARTED)).status('svc')).toBe('ok');
  });

  const PKG = `    - name: pkg
      package:
        name: [curl, jq]
`;
  it('installs only missing packages; check mode installs nothing; installed means ok', async () => {
    const host = new FakeHost('lb1');
    host.packages.add('curl');
    const check = await runPlay(host, PKG, { check: true });
    expect(check.status('pkg')).toBe('changed');
    expect(check.tasks[0]?.changes.map((c) => c.target)).toEqual(['jq']);
    expect(check.conn.ops).toEqual([]);

    const run = await runPlay(host, PKG);
    expect(run.status('pkg')).toBe('changed');
    expect(run.conn.ops).toEqual([
      { op: 'package', manager: 'apt', action: 'install', names: ['jq'], become: true },
    ]);
    expect((await runPlay(host, PKG)).status('pkg')).toBe('ok');
  });
});

describe('handlers, when, and failures', () => {
  const HANDLERS = `    - name: announce
      command: echo handler-ran
`;
  const TWO_NOTIFYING = `    - name: one
      copy:
        dest: /etc/one
        content: "1"
      notify: announce
    - name: two
      copy:
        dest: /etc/two
        content: "2"
      notify: announce
`;

  it('runs a handler notified twice once, at the end, after the staged files went live', async () => {
    const host = new FakeHost('lb1');
    const run = await runPlay(host, TWO_NOTIFYING, { handlers: HANDLERS });
    expect(run.tasks.map((t) => [t.task, t.status])).toEqual([
      ['one', 'changed'],
      ['two', 'changed'],
      ['Activate staged files (nginx -t, swap)', 'ok'],
      ['announce', 'changed'],
    ]);
    expect(run.conn.commands).toEqual(['echo handler-ran']);
    expect(run.conn.scripts.indexOf('transaction')).toBeLessThan(run.conn.scripts.indexOf('ops'));
    expect(host.commits).toHaveLength(1);

    const again = await runPlay(host, TWO_NOTIFYING, { handlers: HANDLERS });
    expect(again.tasks.map((t) => t.task)).toEqual(['one', 'two']);
  });

  it('skips a task whose `when` is false', async () => {
    const host = new FakeHost('lb1');
    const tasks = `    - name: elsewhere only
      command: echo nope
      when: inventory_hostname == 'lb9'
    - name: here
      command: echo yes
      when: inventory_hostname == 'lb1'
`;
    const run = await runPlay(host, tasks);
    expect(run.tasks.map((t) => [t.task, t.status])).toEqual([
      ['elsewhere only', 'skipped'],
      ['here', 'changed'],
    ]);
    expect(run.conn.commands).toEqual(['echo yes']);
  });

  it('evaluates a when: list in order, stops at the first false condition and names it', async () => {
    const host = new FakeHost('lb1');
    const tasks = `    - name: guarded
      command: echo nope
      when:
        - inventory_hostname == 'lb1'
        - "{{ [] }}"
        - undefined_here > 1
    - name: all hold
      command: echo yes
      when: [inventory_hostname == 'lb1', "{{ [1] }}"]
`;
    const run = await runPlay(host, tasks);
    expect(run.tasks.map((t) => [t.task, t.status, t.message])).toEqual([
      ['guarded', 'skipped', 'false condition: {{ [] }}'],
      ['all hold', 'changed', undefined],
    ]);
    expect(run.conn.commands).toEqual(['echo yes']);
  });

  it('stops the host at a failed task: what earlier tasks staged never goes live, no handler runs', async () => {
    const host = new FakeHost('apim1');
    const tasks = `    - name: staged first
      copy:
        dest: /etc/staged
        content: "x"
      notify: announce
    - name: needs a load balancer
      apim_lb_config:
    - name: never reached
      command: echo after
`;
    const run = await runPlay(host, tasks, { handlers: HANDLERS, hostName: 'apim1' });
    expect(run.failed).toBe(true);
    expect(run.tasks.map((t) => [t.task, t.status])).toEqual([
      ['staged first', 'changed'],
      ['needs a load balancer', 'failed'],
    ]);
    expect(host.files.has('/etc/staged')).toBe(false);
    expect(run.conn.scripts).not.toContain('transaction');
    expect(run.conn.commands).toEqual([]);
  });
});

describe('values computed from a secret', () => {
  const SECRET = 'S3cret-Become-pw';
  const withSecret = loadTestInventory(inventoryYaml(['lb1'], { ansible_become_password: SECRET }));
  const leaks = (value: unknown) => {
    const text = JSON.stringify(value);
    return [SECRET, SECRET.toUpperCase(), Buffer.from(SECRET).toString('base64')].some((s) =>
      text.includes(s),
    );
  };

  it('writes a template or copy that used a secret with its real content, and shows no diff of it', async () => {
    const host = new FakeHost('lb1');
    host.putFile('/etc/app.conf', 'old\n', '0600');
    const tasks = `    - name: conf
      template:
        src: app.j2
        dest: /etc/app.conf
        mode: '0600'
    - name: inline
      copy:
        dest: /etc/app.pw
        content: "{{ ansible_become_password | b64encode }}"
`;
    const files = { 'app.j2': 'user=admin\npassword={{ ansible_become_password | upper }}\n' };
    const check = await runPlay(host, tasks, { inventory: withSecret, files, check: true, diff: true });
    const changes = check.tasks.flatMap((t) => t.changes);
    expect(changes.map((c) => [c.target, c.secret, c.diff])).toEqual([
      ['/etc/app.conf', true, undefined],
      ['/etc/app.pw', true, undefined],
    ]);
    expect(leaks(check.tasks)).toBe(false);

    await runPlay(host, tasks, { inventory: withSecret, files });
    expect(host.text('/etc/app.conf')).toBe(`user=admin\npassword=${SECRET.toUpperCase()}\n`);
    expect(host.text('/etc/app.pw')).toBe(Buffer.from(SECRET).toString('base64'));
  });

  it('runs a command computed from a secret, shown as written and with its output hidden', async () => {
    const host = new FakeHost('lb1');
    const tasks = `    - name: set password
      command: "/usr/bin/setpw {{ ansible_become_password | upper }}"
`;
    const conn = await runPlay(host, tasks, { inventory: withSecret });
    expect(conn.conn.commands).toContain(`/usr/bin/setpw ${SECRET.toUpperCase()}`);
    const result = conn.tasks[0]!;
    expect(result.changes[0]!.target).toBe('/usr/bin/setpw {{ ansible_become_password | upper }}');
    expect(result.message).toBe('output hidden: the command line holds a secret');
    expect(leaks(conn.tasks)).toBe(false);
  });

  it('prints a debug message computed from a secret as the placeholder', async () => {
    const host = new FakeHost('lb1');
    const run = await runPlay(
      host,
      `    - debug:\n        msg: "pw is {{ ansible_become_password | reverse }}"\n`,
      {
        inventory: withSecret,
      },
    );
    expect(run.tasks[0]!.message).toBe('********');
    expect(leaks(run.tasks)).toBe(false);
  });
});
