import { EVENTBRIDGE_MAX_ENTRY_BYTES, eventBridgeEntrySize } from '../../src';

describe('eventBridgeEntrySize', () => {
  it('counts 14 for Time plus the UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
    expect(eventBridgeEntrySize({ Time: new Date(), Source: 'ab', DetailType: 'c', Detail: '{"é":1}' })).toBe(
      14 + 2 + 1 + 8,
    );
    expect(eventBridgeEntrySize({ Source: 'ab', DetailType: 'c', Detail: '{}', Resources: ['arn:x'] })).toBe(
      2 + 1 + 2 + 5,
    );
  });

  it('is 256 KiB at the most, as EventBridge allows', () => {
    expect(EVENTBRIDGE_MAX_ENTRY_BYTES).toBe(262_144);
  });
});
