import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { allContracts, contractKey } from '../../src';
import {
  GENERATED_DIR,
  asyncApiDocument,
  asyncApiYaml,
  generateFiles,
  jsonSchemaOf,
} from '../../src/generate';

const packageDir = join(__dirname, '..', '..');
const STALE = 'contracts/generated is out of date: run `npm run contracts:generate` and commit the result.';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('generated files', () => {
  const expected = generateFiles();

  it('are all on disk with the content the generator produces now', () => {
    const stale = expected
      .filter((file) => {
        const onDisk = join(packageDir, file.path);
        return !existsSync(onDisk) || readFileSync(onDisk, 'utf8') !== file.content;
      })
      .map((file) => `contracts/${file.path}`);
    if (stale.length > 0) throw new Error(`${STALE}\nDiffering or missing: ${stale.join(', ')}`);
  });

  it('include no file the generator no longer produces', () => {
    const onDisk = filesUnder(join(packageDir, GENERATED_DIR)).map((f) =>
      relative(packageDir, f).split(sep).join('/'),
    );
    const extra = onDisk.filter((f) => !expected.some((e) => e.path === f));
    if (extra.length > 0) throw new Error(`${STALE}\nNo longer generated: ${extra.join(', ')}`);
  });

  it('have one JSON Schema per contract, at <source>/<DetailType>.v<version>.json', () => {
    const schemas = expected.filter((f) => f.path.includes('/json-schema/')).map((f) => f.path);
    expect(schemas.sort()).toEqual(
      allContracts.map((c) => `generated/json-schema/${contractKey(c)}.json`).sort(),
    );
  });
});

describe('JSON Schema', () => {
  it.each(allContracts.map((c) => [contractKey(c), c] as const))(
    'of %s describes header and body',
    (_k, c) => {
      const schema = jsonSchemaOf(c);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.required).toEqual(
        expect.arrayContaining(['version', 'id', 'time', 'tenantId', 'correlationId']),
      );
      expect((schema.properties as Record<string, { const?: unknown }>).version?.const).toBe(c.version);
      // Consumers must tolerate fields added later without a version bump.
      expect(schema.additionalProperties).toBeUndefined();
    },
  );
});

describe('AsyncAPI document', () => {
  const doc = asyncApiDocument();

  it('is valid AsyncAPI 3.0.0 (no error diagnostics)', async () => {
    const diagnostics = await new Parser().validate(asyncApiYaml());
    const errors = diagnostics.filter((d) => d.severity === 0);
    if (errors.length > 0) {
      const lines = errors.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
      throw new Error(`AsyncAPI diagnostics:\n${lines.join('\n')}`);
    }
    expect(doc.asyncapi).toBe('3.0.0');
  });

  it('is what the YAML file says', () => {
    expect(parse(asyncApiYaml())).toEqual(doc);
  });

  it('reports errors when the document is broken (the validation above can fail)', async () => {
    const broken = structuredClone(doc) as { operations: Record<string, { channel: unknown }> };
    const first = Object.values(broken.operations)[0];
    if (first) first.channel = { $ref: '#/channels/doesNotExist' };
    const diagnostics = await new Parser().validate(JSON.stringify(broken));
    expect(diagnostics.some((d) => d.severity === 0)).toBe(true);
  });

  it('has one message per contract, bus messages on the bus channel with the EventBridge envelope', () => {
    const messages = (doc.components as { messages: Record<string, { name: string; payload: unknown }> })
      .messages;
    expect(
      Object.values(messages)
        .map((m) => m.name)
        .sort(),
    ).toEqual(allContracts.map((c) => c.detailType).sort());
    const channels = doc.channels as Record<string, { messages: Record<string, unknown> }>;
    expect(Object.keys(channels.bus?.messages ?? {})).toHaveLength(
      allContracts.filter((c) => c.channel === 'bus').length,
    );
    expect(JSON.stringify(messages['ingest.EventReceived.v1']?.payload)).toContain('EventBridgeEnvelope');
    expect(JSON.stringify(messages['delivery.DeliveryRequested.v1']?.payload)).not.toContain(
      'EventBridgeEnvelope',
    );
  });

  it('has a send operation for every producing service and a receive operation for consumers', () => {
    const operations = doc.operations as Record<string, { action: string }>;
    for (const service of new Set(allContracts.filter((c) => c.channel === 'bus').map((c) => c.service))) {
      expect(operations[`${service}.publish`]?.action).toBe('send');
    }
    expect(operations['bus.subscribe']?.action).toBe('receive');
    expect(operations['delivery.DeliveryRequested.receive']?.action).toBe('receive');
  });
});
