import { z } from 'zod';
import { pyJsonDumps } from '../domain/python-json.js';
import { defineModule, nothingToDo } from './contract.js';

/** `debug`: shows a message (rendered with the host's variables); changes nothing. */
export const debugModule = defineModule({
  name: 'debug',
  summary: "Shows a message rendered with the host's variables; changes nothing.",
  builtin: true,
  runs: 'staged',
  args: () =>
    z.strictObject({
      msg: z
        .unknown()
        .refine((v) => v !== undefined, {
          message: 'msg is required',
          params: { fix: "add msg: 'text to show' (it may use {{ variables }})" },
        })
        .describe('the message; any value (lists and mappings are shown as JSON, as Ansible shows them)'),
    }),
  plan(_ctx, { msg }) {
    return nothingToDo(typeof msg === 'string' ? msg : pyJsonDumps(msg, { ensureAscii: false }));
  },
});
