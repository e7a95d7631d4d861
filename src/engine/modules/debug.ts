import type { ModuleDefinition } from './module.js';

export const debugModule: ModuleDefinition = {
  staged: true,
  async run({ args }) {
    return { status: 'ok', changes: [], warnings: [], message: String(args.msg ?? '') };
  },
};
