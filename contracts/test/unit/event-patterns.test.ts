import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anyVersion, eventPattern, pinned } from '../../event-patterns.cjs';
import { busContracts } from '../../src';
import { BUS_MESSAGES_PATH, busMessagesDocument, patternName } from '../../src/generate';

describe('event-patterns.cjs (rule patterns for serverless.yml)', () => {
  it('builds a pinned pattern from contract names, in the order given', () => {
    expect(pinned['ApiKeyCreated+ApiKeyUpdated+ApiKeyRevoked']).toEqual({
      source: ['switchyard.identity'],
      'detail-type': ['ApiKeyCreated', 'ApiKeyUpdated', 'ApiKeyRevoked'],
      detail: { version: [1] },
    });
  });

  it('leaves the version out with anyVersion', () => {
    expect(anyVersion.SubscriptionChanged).toEqual({
      source: ['switchyard.billing'],
      'detail-type': ['SubscriptionChanged'],
    });
  });

  it('gives every bus contract a pattern with its own source, detail-type and version', () => {
    for (const contract of busContracts) {
      expect(pinned[patternName(contract)]).toEqual({
        source: [contract.source],
        'detail-type': [contract.detailType],
        detail: { version: [contract.version] },
      });
    }
  });

  it('refuses queue messages, unknown names and an empty list', () => {
    expect(() => pinned.DeliveryRequested).toThrow('no bus message is named DeliveryRequested');
    expect(() => anyVersion['ApiKeyCreated+ApiKeyCreatd']).toThrow('no bus message is named ApiKeyCreatd');
    expect(() => pinned['+']).toThrow('name at least one message');
  });

  it('refuses names from two sources, whose cross product would match messages nobody named', () => {
    expect(() => pinned['TenantCreated+EventReceived']).toThrow(
      'come from switchyard.identity and switchyard.ingest; write one rule per source',
    );
  });

  it('refuses versions that do not cover every named detail-type', () => {
    const messages = [
      { name: 'TenantCreated', source: 'switchyard.identity', detailType: 'TenantCreated', version: 1 },
      { name: 'TenantCreatedV2', source: 'switchyard.identity', detailType: 'TenantCreated', version: 2 },
      { name: 'UserCreated', source: 'switchyard.identity', detailType: 'UserCreated', version: 1 },
    ];
    jest.isolateModules(() => {
      jest.doMock('../../generated/bus-messages.json', () => ({ messages }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated = require('../../event-patterns.cjs') as { eventPattern: typeof eventPattern };
      expect(isolated.eventPattern('TenantCreated+TenantCreatedV2', { pinVersion: true })).toEqual({
        source: ['switchyard.identity'],
        'detail-type': ['TenantCreated'],
        detail: { version: [1, 2] },
      });
      expect(() => isolated.eventPattern('TenantCreatedV2+UserCreated', { pinVersion: true })).toThrow(
        'write one rule per version',
      );
      expect(isolated.eventPattern('TenantCreatedV2+UserCreated', { pinVersion: false })).toEqual({
        source: ['switchyard.identity'],
        'detail-type': ['TenantCreated', 'UserCreated'],
      });
    });
    jest.dontMock('../../generated/bus-messages.json');
  });

  it('does not look like a promise to osls, which awaits every value it follows', () => {
    expect((pinned as Record<string, unknown>).then).toBeUndefined();
    expect((anyVersion as Record<string, unknown>).then).toBeUndefined();
  });

  it('reads the committed list the generator writes', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(__dirname, '..', '..', BUS_MESSAGES_PATH), 'utf8'),
    );
    expect(committed).toEqual(busMessagesDocument());
    expect(eventPattern('EventReceived', { pinVersion: false }).source).toEqual(['switchyard.ingest']);
  });
});
