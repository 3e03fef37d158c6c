import { authorize } from '../../../src/domain/permissions';

describe('authorize', () => {
  it('lets creators and admins publish and refuses viewers with 403', () => {
    expect(authorize('creator', 'events:publish')).toEqual({ ok: true });
    expect(authorize('admin', 'events:publish')).toEqual({ ok: true });
    expect(authorize('viewer', 'events:publish')).toMatchObject({
      ok: false,
      status: 403,
      code: 'forbidden',
    });
  });

  it('lets every valid key read and acknowledge', () => {
    for (const role of ['viewer', 'creator', 'admin'] as const) {
      expect(authorize(role, 'events:read').ok).toBe(true);
      expect(authorize(role, 'events:ack').ok).toBe(true);
    }
  });
});
