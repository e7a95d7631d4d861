/**
 * The layering of src/ (docs/architecture.md), checked by `npm run lint`: each folder may import
 * only the folders listed for it (and itself), and no import cycle is allowed anywhere.
 * To move a dependency, change the table and docs/architecture.md together.
 */
const LAYERS = {
  domain: [],
  input: ['domain'],
  patterns: ['domain'],
  certs: ['domain'],
  transport: ['domain'],
  // playbook: templated inventory values render in the same sandboxed template engine.
  inventory: ['domain', 'input', 'patterns', 'certs', 'playbook', 'nodes'],
  playbook: ['domain', 'input'],
  remote: ['domain', 'transport'],
  modules: ['domain', 'input', 'patterns', 'certs', 'playbook', 'remote', 'nodes'],
  engine: ['domain', 'input', 'patterns', 'certs', 'inventory', 'playbook', 'transport', 'remote', 'modules'],
  report: ['domain', 'input', 'certs', 'playbook', 'engine'],
  lab: ['domain', 'transport'],
  graph: ['domain', 'patterns', 'inventory', 'nodes'],
  nodes: ['domain', 'patterns'],
  cli: [
    ...['domain', 'input', 'patterns', 'certs', 'transport', 'inventory', 'playbook', 'remote'],
    ...['modules', 'engine', 'report', 'lab', 'graph', 'nodes'],
  ],
};

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only: ${allowed.join(', ') || '(nothing else in src)'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: [`^src/(${[layer, ...allowed].join('|')})/`] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle couples modules that should be layered',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-from-tests',
      comment: 'shipped code never imports test code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    ...layerRules,
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
