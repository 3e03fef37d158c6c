// Switchyard's dependency rules: services talk only through contracts, so no service imports
// another's code, shared code never imports a service, and contracts depend on nothing but zod.
// Within a service, imports go handlers → app → domain/adapters, and domain imports only domain.
// Checked by libs/cfn-policy/test/unit/dependency-rules.test.ts; by hand:
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
      name: 'domain-imports-only-domain',
      comment:
        'src/domain/ is pure logic: of its own service it imports only other domain modules, never config, ' +
        'adapters, use cases or handlers (npm packages, contracts and libs are not this rule’s concern).',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/domain/' },
      to: { path: '^services/$1/', pathNot: '^services/$1/src/domain/' },
    },
    {
      name: 'adapters-import-no-app-or-handlers',
      comment:
        'Imports go handlers → app → domain/adapters: an adapter never reaches back into a use case or handler.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/adapters/' },
      to: { path: '^services/$1/src/(app|handlers)/' },
    },
    {
      name: 'app-imports-no-handlers',
      comment: 'Use cases in src/app/ are called by handlers, never the reverse.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/app/' },
      to: { path: '^services/$1/src/handlers/' },
    },
    {
      name: 'http-only-for-handlers',
      comment:
        'src/http/ holds what only an HTTP request has (media types, headers, 207 shaping): handlers use it; ' +
        'use cases, adapters and domain stay transport-free, so a queue or schedule can call them too.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/(app|adapters|domain)/' },
      to: { path: '^services/$1/src/http/' },
    },
    {
      name: 'handlers-import-no-handlers',
      comment:
        'A handler is the wiring of one function; what two handlers share lives in src/app/, src/domain/ or ' +
        'beside them (src/api-schemas.ts), not in another handler, which would bundle its wiring too.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/handlers/' },
      to: { path: '^services/$1/src/handlers/' },
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
