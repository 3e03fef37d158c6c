import { notificationKeys } from '../../../src/adapters/notifications-table';

describe("notifications' table layout", () => {
  it('pins every key', () => {
    expect(notificationKeys.tenant('ten_1')).toEqual({ pk: 'TENANT#ten_1', sk: 'TENANT' });
    expect(notificationKeys.recipient('ten_1', 'usr_1')).toEqual({ pk: 'TENANT#ten_1', sk: 'USER#usr_1' });
    expect(notificationKeys.preferences('ten_1', 'usr_1')).toEqual({ pk: 'TENANT#ten_1', sk: 'PREFS#usr_1' });
    expect(notificationKeys.window('ten_1', 'usr_1', 'comments')).toEqual({
      pk: 'TENANT#ten_1',
      sk: 'WINDOW#usr_1#comments',
    });
    expect(notificationKeys.sent('evt_1', 'usr_1')).toEqual({ pk: 'SENT#evt_1#usr_1', sk: 'SENT' });
    expect(notificationKeys.unsubscribeSecret).toEqual({ pk: 'SECRET#unsubscribe', sk: 'SECRET' });
    expect(notificationKeys.suppressed(' Ada@Example.COM')).toEqual({
      pk: 'SUPPRESSED#ada@example.com',
      sk: 'SUPPRESSED',
    });
  });
});
