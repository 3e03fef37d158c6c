import { stringify } from 'yaml';
import { z } from 'zod';
import packageJson from '../package.json';
import type { Contract } from './contract';
import { allContracts, contractKey } from './registry';

// Pure generation of the published documents, so the freshness test can compare them with the
// committed files. contracts/scripts/generate.ts only writes what these functions return.

type JsonObject = Record<string, unknown>;

export interface GeneratedFile {
  /** POSIX path relative to the contracts package directory. */
  path: string;
  content: string;
}

export const GENERATED_DIR = 'generated';

const BANNER = 'Generated from contracts/src by `npm run contracts:generate`. Do not edit by hand.';

function metadata(c: Contract): JsonObject {
  return { source: c.source, detailType: c.detailType, version: c.version, channel: c.channel };
}

/** JSON Schema 2020-12 of a message's `detail` (bus) or body (queue): header plus body fields. */
export function jsonSchemaOf(c: Contract): JsonObject {
  // io 'input' describes what a consumer must accept; unlike 'output' it does not forbid unknown
  // properties, which an additive change (a new optional field) introduces before consumers update.
  const { $schema, ...schema } = z.toJSONSchema(c.schema, { target: 'draft-2020-12', io: 'input' });
  return {
    $schema,
    title: `${c.detailType} v${c.version}`,
    description: c.description,
    $comment: BANNER,
    'x-switchyard': metadata(c),
    ...schema,
  };
}

export function jsonSchemaPath(c: Contract): string {
  return `${GENERATED_DIR}/json-schema/${contractKey(c)}.json`;
}

/** Component key in the AsyncAPI document: unique because (source, detail-type, version) is. */
function componentKey(c: Contract): string {
  return `${c.service}.${c.detailType}.v${c.version}`;
}

function queueChannelKey(c: Contract): string {
  return `${c.service}.${c.detailType}`;
}

const eventBridgeEnvelope: JsonObject = {
  type: 'object',
  description:
    'An event as EventBridge delivers it to a rule target. The producer supplies `source`, ' +
    '`detail-type` and `detail`; EventBridge adds the other fields.',
  required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
  properties: {
    version: {
      type: 'string',
      const: '0',
      description:
        'EventBridge envelope version, always "0". The message schema version is `detail.version`.',
    },
    id: {
      type: 'string',
      description: 'Id EventBridge assigns. Deduplicate on `detail.id`, which the producer sets.',
    },
    'detail-type': { type: 'string', description: 'The message name (PascalCase). Rules match on it.' },
    source: {
      type: 'string',
      description: '`switchyard.<service>`: the producing service. Rules match on it.',
    },
    account: { type: 'string', description: 'AWS account of the bus.' },
    time: { type: 'string', format: 'date-time', description: 'When EventBridge received the event.' },
    region: { type: 'string', description: 'AWS region of the bus.' },
    resources: { type: 'array', items: { type: 'string' }, description: 'Unused by Switchyard; empty.' },
    detail: { type: 'object', description: 'The Switchyard message: header plus body.' },
  },
};

/** The message schema in the AsyncAPI 3 default schema format (a superset of JSON Schema draft-07). */
function asyncApiSchemaOf(c: Contract): JsonObject {
  const { $schema: _unused, ...schema } = z.toJSONSchema(c.schema, { target: 'draft-7', io: 'input' });
  return { title: `${c.detailType} v${c.version}`, description: c.description, ...schema };
}

function asyncApiMessageOf(c: Contract): JsonObject {
  const ref = { $ref: `#/components/schemas/${componentKey(c)}` };
  const onBus = c.channel === 'bus';
  return {
    name: c.detailType,
    title: `${c.detailType} v${c.version}`,
    summary: c.description,
    contentType: 'application/json',
    tags: [{ name: c.service }],
    correlationId: {
      description: 'Header `correlationId`, carried from the request that caused the message.',
      location: onBus ? '$message.payload#/detail/correlationId' : '$message.payload#/correlationId',
    },
    payload: onBus
      ? {
          allOf: [
            { $ref: '#/components/schemas/EventBridgeEnvelope' },
            {
              type: 'object',
              properties: {
                source: { const: c.source },
                'detail-type': { const: c.detailType },
                detail: ref,
              },
            },
          ],
        }
      : ref,
    'x-switchyard': metadata(c),
  };
}

/** The AsyncAPI 3.0.0 document describing every contract, as a plain object. */
export function asyncApiDocument(contracts: readonly Contract[] = allContracts): JsonObject {
  const bus = contracts.filter((c) => c.channel === 'bus');
  const queue = contracts.filter((c) => c.channel === 'queue');
  const messageRefs = (list: readonly Contract[]) =>
    Object.fromEntries(
      list.map((c) => [componentKey(c), { $ref: `#/components/messages/${componentKey(c)}` }]),
    );
  const channelMessageRefs = (channel: string, list: readonly Contract[]) =>
    list.map((c) => ({ $ref: `#/channels/${channel}/messages/${componentKey(c)}` }));

  const channels: JsonObject = {
    bus: {
      address: 'switchyard-{stage}-bus',
      title: 'Switchyard event bus',
      description:
        'The EventBridge bus every service publishes to. Subscribe with a rule matching `source` and ' +
        '`detail-type` (and `detail.version` to pin a major version). Each message is the full ' +
        'EventBridge event; the Switchyard message is its `detail`.',
      parameters: { stage: { description: 'Deployment stage, e.g. dev or prod.' } },
      messages: messageRefs(bus),
    },
  };
  const operations: JsonObject = {};

  const producers = [...new Set(bus.map((c) => c.service))].sort();
  for (const service of producers) {
    const own = bus.filter((c) => c.service === service);
    operations[`${service}.publish`] = {
      action: 'send',
      title: `switchyard.${service} publishes`,
      summary: `Events the ${service} service puts on the bus (PutEvents).`,
      channel: { $ref: '#/channels/bus' },
      messages: channelMessageRefs('bus', own),
    };
  }
  if (bus.length > 0) {
    operations['bus.subscribe'] = {
      action: 'receive',
      title: 'Consume bus events',
      summary:
        'What any consumer may receive through a rule. Parse `detail` with the matching schema and send ' +
        'what does not match to a dead-letter queue.',
      channel: { $ref: '#/channels/bus' },
      messages: channelMessageRefs('bus', bus),
    };
  }

  for (const c of queue) {
    const key = queueChannelKey(c);
    channels[key] = {
      // The queue URL is the owning service's resource, resolved at deploy time.
      address: null,
      title: `${c.detailType} queue`,
      description: `Internal work queue of the ${c.service} service; each SQS message body is one ${c.detailType}.`,
      messages: messageRefs([c]),
    };
    operations[`${key}.send`] = {
      action: 'send',
      summary: `The ${c.service} service enqueues ${c.detailType} (SendMessageBatch).`,
      channel: { $ref: `#/channels/${key}` },
      messages: channelMessageRefs(key, [c]),
    };
    operations[`${key}.receive`] = {
      action: 'receive',
      summary: `The ${c.service} service consumes ${c.detailType} (SQS batches, partial batch failures).`,
      channel: { $ref: `#/channels/${key}` },
      messages: channelMessageRefs(key, [c]),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchyard messages',
      version: packageJson.version,
      description:
        'Every event Switchyard services publish on the EventBridge bus and every message on their ' +
        'internal queues. Each message carries a header (`version`, `id`, `time`, `tenantId`, ' +
        '`correlationId`). Additive changes keep `version`; a breaking change is published as a new ' +
        'major version or a new detail-type. See docs/conventions.md in the repository.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      schemas: {
        EventBridgeEnvelope: eventBridgeEnvelope,
        ...Object.fromEntries(contracts.map((c) => [componentKey(c), asyncApiSchemaOf(c)])),
      },
      messages: Object.fromEntries(contracts.map((c) => [componentKey(c), asyncApiMessageOf(c)])),
    },
  };
}

export function asyncApiYaml(contracts: readonly Contract[] = allContracts): string {
  // No anchors/aliases and no line folding: the file is read by people and by diff.
  const body = stringify(asyncApiDocument(contracts), { lineWidth: 0, aliasDuplicateObjects: false });
  return `# ${BANNER}\n${body}`;
}

/** Where the bus messages' routing list is written; contracts/event-patterns.cjs reads it. */
export const BUS_MESSAGES_PATH = `${GENERATED_DIR}/bus-messages.json`;

/**
 * The name a rule pattern uses for a contract: its detail-type, with `V<n>` from version 2 on. It is
 * the contract's export name by convention (`TenantCreatedV2`), so a name never changes meaning
 * when a new version is added.
 */
export function patternName(c: Pick<Contract, 'detailType' | 'version'>): string {
  return c.version === 1 ? c.detailType : `${c.detailType}V${c.version}`;
}

/**
 * What an EventBridge rule can match, as plain JSON: serverless.yml builds its rule patterns from it
 * through contracts/event-patterns.cjs, which osls loads with plain Node (no TypeScript).
 */
export function busMessagesDocument(contracts: readonly Contract[] = allContracts): JsonObject {
  return {
    $comment: BANNER,
    description:
      'Every message on the EventBridge bus, by the name rule patterns use (the detail-type, with V<n> ' +
      'from version 2 on). Read by contracts/event-patterns.cjs.',
    messages: contracts
      .filter((c) => c.channel === 'bus')
      .map((c) => ({ name: patternName(c), source: c.source, detailType: c.detailType, version: c.version })),
  };
}

/** Every generated file with its content, in a stable order. */
export function generateFiles(contracts: readonly Contract[] = allContracts): GeneratedFile[] {
  return [
    { path: `${GENERATED_DIR}/asyncapi.yaml`, content: asyncApiYaml(contracts) },
    { path: BUS_MESSAGES_PATH, content: `${JSON.stringify(busMessagesDocument(contracts), null, 2)}\n` },
    ...contracts.map((c) => ({
      path: jsonSchemaPath(c),
      content: `${JSON.stringify(jsonSchemaOf(c), null, 2)}\n`,
    })),
  ];
}
