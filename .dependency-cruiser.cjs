/**
 * Module boundaries (docs/README "Architecture"), checked by `npm run lint`.
 * Paths are relative to the repository root; `$1` refers to the module name captured by `from.path`.
 */

/**
 * The layers of src/common, lowest first, as src/common/README.md explains them. A folder imports only
 * itself and the folders of lower layers; folders of one layer do not import each other.
 */
const COMMON_LAYERS = [
  ['errors', 'config', 'context'],
  ['validation', 'pagination', 'database'],
  ['identity'],
  ['observability'],
  ['lifecycle'],
  ['messaging'],
  ['http', 'events'],
  ['contracts', 'health'],
];

const commonLayerRules = COMMON_LAYERS.flatMap((layer, index) =>
  layer.map((folder) => {
    const below = COMMON_LAYERS.slice(0, index).flat();
    return {
      name: 'common-imports-downwards',
      comment:
        `src/common/${folder} is in layer ${index + 1} of src/common (src/common/README.md): it imports ` +
        (below.length ? `only itself and ${below.join(', ')}.` : 'nothing else of src/common.'),
      severity: 'error',
      from: { path: `^src/common/${folder}/` },
      to: { path: '^src/common/', pathNot: `^src/common/(${[folder, ...below].join('|')})/` },
    };
  }),
);

module.exports = {
  forbidden: [
    ...commonLayerRules,
    {
      name: 'common-folder-in-a-layer',
      comment: 'Every folder of src/common has its place in the layering (COMMON_LAYERS above, src/common/README.md).',
      severity: 'error',
      from: { path: '^src/common/[^/]+/', pathNot: `^src/common/(${COMMON_LAYERS.flat().join('|')})/` },
      to: {},
    },
    {
      name: 'common-not-to-modules',
      comment: 'src/common is shared infrastructure: it must not know any module.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'module-to-module-through-index',
      comment: 'A module reaches another module only through src/modules/<m>/index.ts (its contracts).',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'outside-to-module-through-index',
      comment:
        'Code outside src/modules sees a module only through its index.ts; the composition root ' +
        "(src/app.modules.ts) is the one file that imports a module's Nest modules.",
      severity: 'error',
      from: { path: '^(src|migrations)/', pathNot: ['^src/modules/', '^src/app\\.modules\\.ts$'] },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'composition-root-takes-module-definitions',
      comment: "The composition root imports each module's <m>.module.ts (its Nest modules and definition), nothing deeper.",
      severity: 'error',
      from: { path: '^src/app\\.modules\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/[^/]+/[^/]+\\.module\\.ts$', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'index-exports-contracts-only',
      comment:
        "A module's index.ts is its public surface: it re-exports its contracts/ and nothing else, so importing " +
        "a client never loads another module's services, entities or Nest modules.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/index\\.ts$' },
      to: { pathNot: '^src/modules/$1/contracts/' },
    },
    {
      name: 'contracts-stay-public',
      comment:
        "A module's contracts/ could become its own package: it imports only its own contracts, src/common " +
        'and npm packages, never the module internals or another module.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/contracts/' },
      to: { path: '^(src|migrations)/', pathNot: ['^src/modules/$1/contracts/', '^src/common/'] },
    },
    {
      name: 'migrations-not-to-src',
      comment: 'Migrations are frozen history: they must not change when application code does.',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      comment: 'Circular imports make load order matter and hide a missing boundary.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves; this also proves the `.js` -> `.ts` mapping works, so no rule passes vacuously.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
