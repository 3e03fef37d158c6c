'use strict';
// serverless-esbuild as services list it (`plugins: ['@switchyard/local-packaging',
// '@switchyard/local-packaging/esbuild', ...]`). Requiring serverless-esbuild costs about 1.5 s (its
// dependency tree), more than a third of packaging a stack, and when the local cloud packages the
// template only (SWITCHYARD_TEMPLATE_ONLY=1, see index.cjs) it bundles nothing. Then this is a plugin
// with no hooks and serverless-esbuild is never loaded; otherwise it is serverless-esbuild itself, so
// `npm run package` and `npm run deploy` bundle exactly as before.
/* eslint-disable @typescript-eslint/no-require-imports -- osls require()s this file: CommonJS. */
const { TEMPLATE_ONLY_VARIABLE } = require('./index.cjs');

class TemplateOnlyEsbuild {
  constructor() {
    this.hooks = {};
  }
}

module.exports =
  process.env[TEMPLATE_ONLY_VARIABLE] === '1' ? TemplateOnlyEsbuild : require('serverless-esbuild');
