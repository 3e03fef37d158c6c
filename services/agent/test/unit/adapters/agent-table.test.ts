import { agentKeys } from '../../../src/adapters/agent-table';

describe('agent table keys', () => {
  it('starts every key of tenant data with the tenant id', () => {
    expect(agentKeys.cooldown('t1', 'usr_1')).toEqual({ pk: 'COOLDOWN#t1#usr_1', sk: 'COOLDOWN' });
    expect(agentKeys.entitlement('t1')).toEqual({ pk: 'TENANT#t1', sk: 'ENTITLEMENT' });
    expect(agentKeys.usage('t1', '2026-03')).toEqual({ pk: 'TENANT#t1', sk: 'USAGE#2026-03' });
    expect(agentKeys.conversation('t1', 'usr_1', 'conv_a')).toEqual({
      pk: 'CONVERSATIONS#t1#usr_1',
      sk: 'CONV#conv_a',
    });
    expect(agentKeys.eventAt('t1', '2026-03-01T00:00:00Z', 'e1')).toEqual({
      pk: 'EVENTS#t1',
      sk: 'AT#2026-03-01T00:00:00Z#e1',
    });
    expect(agentKeys.event('t1', 'e1')).toEqual({ pk: 'EVENT#t1#e1', sk: 'EVENT' });
  });
});
