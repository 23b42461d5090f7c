/**
 * Weft's import rules (ARCHITECTURE.md), checked in CI by `npm run lint:imports`.
 * Type-only imports count too: a layer may not even name another's types unless allowed here.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'renderer-imports-only-the-contract',
      comment: 'The renderer knows node types as data: it imports the contract (nodes/sdk), its own files and UI packages, never the host, node code, electron or tfjs.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^(src-main/|nodes/(?!sdk/)|node_modules/(electron|@tensorflow|tokenizers|ws)/)|^(electron|node:)' },
    },
    {
      name: 'renderer-no-node-builtins',
      comment: 'The renderer runs in a browser page.',
      severity: 'error',
      from: { path: '^src-renderer/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'preload-imports-only-electron-and-the-contract',
      severity: 'error',
      from: { path: '^src-main/preload/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^(src-main/preload/|nodes/sdk/|electron$|node_modules/electron/)' },
    },
    {
      name: 'engine-is-only-the-run-engine',
      comment: 'The engine imports neither electron, the host services, the server, the CLI nor node code (nodes/lib, run modules); the types it needs are in the contract.',
      severity: 'error',
      from: { path: '^src-main/engine/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(src-main/(app|host|server|cli|preload)/|nodes/lib/|nodes/[^/]+/run\\.ts$|node_modules/electron/)|^electron$' },
    },
    {
      name: 'engine-finds-node-types-through-the-registry',
      comment: 'Only the worker entry imports the built-in registry (so a bundled worker needs no loader); the rest of the engine gets node definitions from its host.',
      severity: 'error',
      from: { path: '^src-main/engine/', pathNot: '^src-main/engine/worker/worker-main\\.ts$|\\.test\\.ts$' },
      to: { path: '^nodes/(?!sdk/)' },
    },
    {
      name: 'nodes-import-neither-engine-nor-store',
      comment: 'Node types and nodes/lib run in workers against the contract only.',
      severity: 'error',
      from: { path: '^nodes/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(src-main|src-renderer)/' },
    },
    {
      name: 'contract-imports-nothing-heavy',
      comment: 'Everyone imports nodes/sdk, the renderer and the preload too: zod and jsonc-parser only, no node builtins.',
      severity: 'error',
      from: { path: '^nodes/sdk/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^(nodes/sdk/|node_modules/(zod|jsonc-parser)/)' },
    },
    {
      name: 'specs-stay-light',
      comment: "A node's index.ts is its spec, loaded by the host and the editor's catalogue: no tfjs, no tokenizers, no model code, no network client (Hub access happens at run, in a worker).",
      severity: 'error',
      from: { path: '^nodes/[^/]+/index\\.ts$' },
      to: { path: '^(nodes/lib/(backend|gpt/|train/|tokenizer|model-input|playground/|hub/download)|node_modules/(@tensorflow|tokenizers|@huggingface/hub)/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
