import { z } from 'zod';
import { renderTemplateFile } from '../playbook/template.js';
import { hostPath, nonEmpty, ownershipArgs } from './args.js';
import { defineModule } from './contract.js';
import { localSource, stageContent } from './copy.js';

/** `template`: a nunjucks (Jinja2) file rendered with the host's variables, then like `copy`. */
export const templateModule = defineModule({
  name: 'template',
  summary: "A Jinja2 file rendered with the host's variables, then written like copy.",
  builtin: true,
  runs: 'staged',
  src: { folder: 'templates', template: true },
  args: (t) =>
    z.strictObject({
      src: t(nonEmpty).describe(
        'the template on the controller (relative: templates/ next to the playbook, then the playbook folder)',
      ),
      dest: t(hostPath).describe('the file on the host'),
      ...ownershipArgs(t),
    }),
  plan(ctx, args) {
    const text = renderTemplateFile(localSource(ctx, args.src, 'templates'), ctx.vars, {
      ...ctx.task.loc,
      task: ctx.task.name,
    });
    return stageContent(ctx, args, typeof text === 'string' ? Buffer.from(text) : text);
  },
});
