import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cruiseDependencies } from '../../src/dependency-rules';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const depTree = join(__dirname, '..', 'fixtures', 'dep-tree');
// A cruise parses every TypeScript file of the repository: seconds, more on a busy machine.
const CRUISE_TIMEOUT_MS = 60_000;

// A workspace package resolves through a node_modules link, as npm creates for services/*; git does
// not keep node_modules, so the fixture's link is made here.
function linkFixturePackage() {
  const scope = join(depTree, 'node_modules', '@switchyard');
  mkdirSync(scope, { recursive: true });
  if (!existsSync(join(scope, 'b'))) symlinkSync(join('..', '..', 'services', 'b'), join(scope, 'b'), 'dir');
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it(
    'finds no violation in the repository',
    async () => {
      const violations = await cruiseDependencies(repoRoot, repoRoot, [
        'contracts',
        'libs',
        'services',
        'e2e',
        'scripts',
      ]);
      expect(violations).toEqual([]);
    },
    CRUISE_TIMEOUT_MS,
  );

  it(
    'reports each forbidden import of the fixture tree, and nothing else',
    async () => {
      linkFixturePackage();
      const violations = await cruiseDependencies(repoRoot, depTree, ['services', 'libs', 'contracts']);
      const found = violations.map(({ rule, from, to }) => ({
        rule,
        from,
        to: to.replace(/^(\.\.\/)+/, ''),
      }));
      expect(found).toEqual(
        expect.arrayContaining([
          // by relative path
          {
            rule: 'no-cross-service-imports',
            from: 'services/a/src/handler.ts',
            to: 'services/b/src/util.ts',
          },
          // by package name: @switchyard/b resolves to services/b's main
          {
            rule: 'no-cross-service-imports',
            from: 'services/a/src/handler.ts',
            to: 'services/b/src/index.ts',
          },
          {
            rule: 'no-unresolvable-workspace-imports',
            from: 'services/a/src/handler.ts',
            to: '@switchyard/nowhere',
          },
          {
            rule: 'no-shared-code-imports-services',
            from: 'libs/shared/src/index.ts',
            to: 'services/b/src/util.ts',
          },
          {
            rule: 'contracts-import-no-libs',
            from: 'contracts/src/message.ts',
            to: 'libs/shared/src/index.ts',
          },
          {
            rule: 'contracts-depend-only-on-zod',
            from: 'contracts/src/index.ts',
            to: 'node_modules/yaml/dist/index.d.ts',
          },
          // layers within services/c: each file also imports what its layer may, which must pass
          {
            rule: 'domain-imports-only-domain',
            from: 'services/c/src/domain/rules.ts',
            to: 'services/c/src/config.ts',
          },
          {
            rule: 'adapters-import-no-app-or-handlers',
            from: 'services/c/src/adapters/store.ts',
            to: 'services/c/src/app/place-order.ts',
          },
          {
            rule: 'adapters-import-no-app-or-handlers',
            from: 'services/c/src/adapters/store.ts',
            to: 'services/c/src/handlers/get-order.ts',
          },
          {
            rule: 'app-imports-no-handlers',
            from: 'services/c/src/app/place-order.ts',
            to: 'services/c/src/handlers/get-order.ts',
          },
          {
            rule: 'http-only-for-handlers',
            from: 'services/c/src/app/place-order.ts',
            to: 'services/c/src/http/order-request.ts',
          },
          {
            rule: 'handlers-import-no-handlers',
            from: 'services/c/src/handlers/post-order.ts',
            to: 'services/c/src/handlers/get-order.ts',
          },
        ]),
      );
      expect(found).toHaveLength(12);
    },
    CRUISE_TIMEOUT_MS,
  );
});
