// Switchyard's dependency rules (DESIGN.md §1): services talk only through contracts, so no service
// imports another's code, shared code never imports a service, and contracts depend on nothing but
// zod. Checked by libs/cfn-policy/test/unit/dependency-rules.test.ts; by hand:
//   npx depcruise contracts libs services e2e scripts
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-service-imports',
      comment:
        'A service imports no other service’s code, by relative path or by package name (workspace packages ' +
        'resolve through their node_modules link to services/<name>). Share through contracts/ or libs/.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/[^/]+/', pathNot: '^services/$1/' },
    },
    {
      name: 'no-shared-code-imports-services',
      comment:
        'libs/ and contracts/ are shared by every service, so they must not depend on any one of them.',
      severity: 'error',
      from: { path: '^(libs|contracts)/' },
      to: { path: '^services/' },
    },
    {
      name: 'contracts-import-no-libs',
      comment:
        'contracts/ is the dependency-free description of messages that libs/ builds on, not the reverse.',
      severity: 'error',
      from: { path: '^contracts/' },
      to: { path: '^libs/' },
    },
    {
      name: 'contracts-depend-only-on-zod',
      comment:
        'What a producer or consumer loads from @switchyard/contracts (everything its index reaches) uses zod ' +
        'and nothing else from npm. Generators and tests beside it may use tools.',
      severity: 'error',
      from: { path: '^contracts/src/index\\.ts$' },
      to: { path: 'node_modules/', pathNot: 'node_modules/zod/', reachable: true },
    },
    {
      name: 'no-unresolvable-workspace-imports',
      comment:
        'An @switchyard/* import that does not resolve cannot be checked by the rules above (and would not ' +
        'build); link workspaces with npm install.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^@switchyard/' },
    },
  ],
  options: {
    // Fixture trees (they break these rules on purpose) and build output. Not node_modules: excluded
    // modules vanish as dependencies too, and the contracts rule must see npm imports.
    exclude: { path: '(^|/)(\\.serverless|\\.esbuild|coverage)/|/test/fixtures/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types'],
    },
  },
};
