// EventBridge rule patterns built from the contracts, so no serverless.yml retypes a source or a
// detail-type. A rule names the contracts it wants after `pinned.` (the pattern also matches
// `detail.version`) or `anyVersion.`, joined by `+`:
//
//   EventPattern: ${file(../../contracts/event-patterns.cjs):pinned.ApiKeyCreated+ApiKeyRevoked}
//
// osls requires this file with plain Node and reads the address after `:` one property at a time;
// `pinned` and `anyVersion` are Proxies that answer any property, so the contract names come from the
// address. osls cannot load the TypeScript contracts, so their list comes from
// generated/bus-messages.json, which `npm run contracts:generate` writes (a test fails when stale).
'use strict';

// osls loads this file with require(), so it is CommonJS and imports the same way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { messages } = require('./generated/bus-messages.json');

const unique = (values) => [...new Set(values)];

/** The bus message a rule names: the detail-type, with `V<n>` from version 2 on (`ApiKeyCreatedV2`). */
function messageNamed(name) {
  const found = messages.filter((message) => message.name === name);
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new Error(`${name} names a message of ${found.map((m) => m.source).join(' and ')}; rename one`);
  }
  throw new Error(`no bus message is named ${name}; known: ${messages.map((m) => m.name).join(', ')}`);
}

/**
 * `{ source, 'detail-type', detail?: { version } }` for the named messages, in the order given. One
 * source per rule, and with `pinVersion` every named detail-type at the same versions: a pattern's
 * fields combine as a cross product, so anything else would match messages the rule did not name.
 */
function eventPattern(names, { pinVersion }) {
  const named = unique(names.split('+').map((name) => name.trim())).filter((name) => name !== '');
  if (named.length === 0) throw new Error('name at least one message, e.g. pinned.ApiKeyCreated');
  const chosen = named.map(messageNamed);
  const sources = unique(chosen.map((message) => message.source));
  if (sources.length > 1) {
    throw new Error(`${named.join('+')} come from ${sources.join(' and ')}; write one rule per source`);
  }
  const pattern = { source: sources, 'detail-type': unique(chosen.map((message) => message.detailType)) };
  if (!pinVersion) return pattern;
  const versions = unique(chosen.map((message) => message.version)).sort((a, b) => a - b);
  for (const detailType of pattern['detail-type']) {
    const own = chosen.filter((message) => message.detailType === detailType).map((m) => m.version);
    if (own.length !== versions.length) {
      throw new Error(
        `${named.join('+')} pin versions ${versions.join(', ')} but not each of them for ${detailType}; ` +
          'write one rule per version',
      );
    }
  }
  return { ...pattern, detail: { version: versions } };
}

function patternsBy(options) {
  return new Proxy(Object.create(null), {
    get(_target, property) {
      // osls awaits every value it follows, which reads `then`: a Proxy must not look like a promise.
      if (typeof property !== 'string' || property === 'then') return undefined;
      return eventPattern(property, options);
    },
  });
}

module.exports = {
  pinned: patternsBy({ pinVersion: true }),
  anyVersion: patternsBy({ pinVersion: false }),
  eventPattern,
};
