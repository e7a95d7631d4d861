// Preloaded (node --import) into the `apply` runs bench/startup/ab.ts measures: at the process's
// first TCP connect (net.Socket's connect, which ssh2 and the early dial both go through) and at its
// exit, the CPU time of the process so far (process.cpuUsage: every thread, as perf's task-clock
// counts) and the wall time since the process started (performance.now), appended as one JSON line
// to $APIM_STARTUP_MARKS: how much of start-up comes before the first host is contacted.
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const marks = {};
const mark = (name) => {
  if (marks[name]) return;
  const cpu = process.cpuUsage();
  marks[name] = { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() };
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  mark('connect');
  return connect.apply(this, args);
};
process.on('exit', () => {
  mark('exit');
  appendFileSync(process.env.APIM_STARTUP_MARKS, `${JSON.stringify(marks)}\n`);
});
