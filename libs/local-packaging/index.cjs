'use strict';
// An osls plugin every service with functions lists first (`plugins: ['@switchyard/local-packaging',
// '@switchyard/local-packaging/esbuild', ...]`, the second being serverless-esbuild, see esbuild.cjs).
// The local cloud reads only the packaged CloudFormation template and bundles each function from
// source itself, yet `serverless package` bundles and zips every function (about 5 of a stack's
// 7 s). When the local cloud packages (it sets SWITCHYARD_TEMPLATE_ONLY=1), this makes the template
// alone: every function skips serverless-esbuild, the service's artifact is an empty zip (so the
// template differs only in its code's S3 key and the version resources hashed from it), and osls
// does not check the configuration against its schema. `npm run package` and `npm run deploy` never
// set the variable: what is checked and deployed is always fully packaged and validated. Plain
// CommonJS: osls require()s it.
/* eslint-disable @typescript-eslint/no-require-imports -- osls require()s this file: CommonJS. */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const TEMPLATE_ONLY_VARIABLE = 'SWITCHYARD_TEMPLATE_ONLY';
const ARTIFACT_NAME = 'switchyard-template-only.zip';
/** A zip with no entries: only the end-of-central-directory record. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

class LocalPackaging {
  constructor(serverless) {
    this.hooks = {};
    if (process.env[TEMPLATE_ONLY_VARIABLE] !== '1') return;
    // osls checks the configuration against its JSON schema (compiling the schema each time): half
    // of what is left of packaging a stack for its template. The local cloud shows none of its
    // warnings, and `npm run package` and `npm run deploy` still check, so the template-only run
    // leaves it out. Plugins are made before osls validates, so this instance's method is replaced.
    serverless.configSchemaHandler.validateConfig = async () => undefined;
    // At initialize, before serverless-esbuild (listed after this plugin) collects its entries.
    this.hooks.initialize = () => templateOnly(serverless);
  }
}

function templateOnly(serverless) {
  const service = serverless.service;
  const serviceDir = serverless.serviceDir || serverless.config.servicePath;
  // The same bytes for every service, so parallel packagings may write it at once.
  const artifact = path.join(os.tmpdir(), ARTIFACT_NAME);
  fs.writeFileSync(artifact, EMPTY_ZIP);
  service.package = { ...(service.package || {}), artifact };
  for (const fn of Object.values(service.functions || {})) fn.skipEsbuild = true;
  // osls hashes the artifact from .serverless/<name>; serverless-esbuild packages in .esbuild and
  // moves its .serverless back afterwards, so the file must be in both.
  for (const dir of [
    path.join(serviceDir, '.esbuild', '.serverless'),
    path.join(serviceDir, '.serverless'),
  ]) {
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(artifact, path.join(dir, ARTIFACT_NAME));
  }
}

module.exports = LocalPackaging;
module.exports.TEMPLATE_ONLY_VARIABLE = TEMPLATE_ONLY_VARIABLE;
