import { z } from 'zod';
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
        .describe('the message; any value (lists and mappings are shown as JSON)'),
    }),
  plan(_ctx, { msg }) {
    return nothingToDo(typeof msg === 'string' ? msg : JSON.stringify(msg));
  },
});
