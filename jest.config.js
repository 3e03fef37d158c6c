// One jest run for the whole repository. Unit tests run everywhere; integration and e2e
// suites start their own local cloud (one per suite), so they run serially after the unit tests.
/** @type {import('jest').Config} */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/.serverless/', '/.esbuild/'],
  // middy ships only as ES modules; swc turns them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  // Imports written as './x.js' resolve to './x.ts' (NodeNext style).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
module.exports = {
  // Integration suites start real emulators; jest reads this option only at the top level.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/test/integration/**/*.test.ts', '<rootDir>/e2e/**/*.test.ts'],
    },
  ],
};
