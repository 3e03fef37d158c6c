// `@switchyard/runtime/testing`: builders of Lambda events and contexts for tests (src/testing.ts).
export * from './src/testing';
