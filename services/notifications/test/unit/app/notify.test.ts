import type { OutgoingEmail } from '../../../src/adapters/mailer';
import { sweepDigests } from '../../../src/app/digests';
import { RecipientNotProjectedError, notify } from '../../../src/app/notify';
import type { TriggeringEvent } from '../../../src/domain/notifications';
import { deps, fakeStore, person } from '../fakes';

const message = (id: string, participants: string[]): TriggeringEvent => ({
  type: 'MessageSent',
  message: {
    version: 1,
    id,
    time: '2026-03-01T00:00:00Z',
    tenantId: 'ten_1',
    correlationId: 'c',
    conversationId: 'cnv_1',
    messageId: 'msg_1',
    senderId: 'usr_A',
    participantIds: participants,
    textPreview: 'hello',
    attachmentCount: 0,
    sentAt: '2026-03-01T00:00:00Z',
  },
});

const comment = (id: string, at: string): TriggeringEvent => ({
  type: 'CommentCreated',
  message: {
    version: 1,
    id,
    time: at,
    tenantId: 'ten_1',
    correlationId: 'c',
    commentId: `cmt_${id}`,
    itemId: 'doc',
    authorId: 'usr_A',
    textPreview: `text ${id}`,
    earlierCommenterIds: ['usr_B'],
    createdAt: at,
  },
});

describe('notify', () => {
  it('mails each participant but the sender once, whatever the redeliveries', async () => {
    const { store } = fakeStore([person('usr_A'), person('usr_B'), person('usr_C')]);
    const sent: OutgoingEmail[] = [];
    await notify(message('evt_1', ['usr_A', 'usr_B', 'usr_C']), deps(store, sent));
    await notify(message('evt_1', ['usr_A', 'usr_B', 'usr_C']), deps(store, sent));
    expect(sent.map((m) => m.to).sort()).toEqual(['usr_B@example.com', 'usr_C@example.com']);
    expect(sent[0]?.headers).toEqual([
      {
        name: 'List-Unsubscribe',
        value: expect.stringMatching(/^<https:\/\/api\.example\.com\/notifications\/unsubscribe\?token=.+>$/),
      },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('skips suspended and removed people and those who turned the category off', async () => {
    const { store } = fakeStore(
      [
        person('usr_A'),
        person('usr_B', { status: 'suspended' }),
        person('usr_C', { status: 'removed' }),
        person('usr_D'),
      ],
      { usr_D: { messages: 'off' } },
    );
    const sent: OutgoingEmail[] = [];
    await notify(message('evt_1', ['usr_A', 'usr_B', 'usr_C', 'usr_D']), deps(store, sent));
    expect(sent).toEqual([]);
  });

  it('never mails a suppressed address, transactional mail included, and leaves no mark', async () => {
    const { store, marks } = fakeStore([person('usr_A'), person('usr_B'), person('usr_C')], {}, [
      'usr_b@example.com',
    ]);
    const sent: OutgoingEmail[] = [];
    const outcomes = await notify(message('evt_1', ['usr_A', 'usr_B', 'usr_C']), deps(store, sent));
    expect(outcomes.sort()).toEqual(['sent', 'suppressed']);
    expect(sent.map((m) => m.to)).toEqual(['usr_C@example.com']);
    expect([...marks]).toEqual(['evt_1|usr_C']);
    const reauth: TriggeringEvent = {
      type: 'ConnectionNeedsReauth',
      message: {
        version: 1,
        id: 'evt_2',
        time: '2026-03-01T00:00:00Z',
        tenantId: 'ten_1',
        correlationId: 'c',
        userId: 'usr_B',
        provider: 'github',
        reason: 'token_expired',
        detectedAt: '2026-03-01T00:00:00Z',
      },
    } as TriggeringEvent;
    expect(await notify(reauth, deps(store, sent))).toEqual(['suppressed']);
    expect(sent).toHaveLength(1);
  });

  it('serves the people known and retries for one not projected yet', async () => {
    const { store } = fakeStore([person('usr_A'), person('usr_B')]);
    const sent: OutgoingEmail[] = [];
    await expect(
      notify(message('evt_1', ['usr_A', 'usr_B', 'usr_X']), deps(store, sent)),
    ).rejects.toBeInstanceOf(RecipientNotProjectedError);
    expect(sent).toHaveLength(1);
  });

  it('takes the mark back when the send fails, so the retry sends', async () => {
    const { store, marks } = fakeStore([person('usr_A'), person('usr_B')]);
    const failing = {
      ...deps(store, []),
      mailer: { send: async () => Promise.reject(new Error('throttled')) },
    };
    await expect(notify(message('evt_1', ['usr_A', 'usr_B']), failing)).rejects.toThrow('throttled');
    expect(marks.size).toBe(0);
  });

  it('sends the first comment at once, gathers the rest and sends one digest when the window closes', async () => {
    const { store } = fakeStore([person('usr_A'), person('usr_B')]);
    const sent: OutgoingEmail[] = [];
    const clock = { t: new Date('2026-03-01T00:00:00Z') };
    const d = deps(store, sent, clock);
    await notify(comment('e1', '2026-03-01T00:00:00Z'), d);
    await notify(comment('e2', '2026-03-01T00:01:00Z'), d);
    await notify(comment('e3', '2026-03-01T00:02:00Z'), d);
    expect(sent).toHaveLength(1);
    expect(await sweepDigests(d)).toEqual({ closed: 0, digestsSent: 0, failed: 0 });
    clock.t = new Date('2026-03-01T00:15:00Z');
    expect(await sweepDigests(d)).toEqual({ closed: 1, digestsSent: 1, failed: 0 });
    expect(sent).toHaveLength(2);
    expect(sent[1]?.subject).toBe('2 new comments on doc');
    expect(sent[1]!.text.indexOf('text e3')).toBeLessThan(sent[1]!.text.indexOf('text e2'));
    await notify(comment('e4', '2026-03-01T00:16:00Z'), d);
    expect(sent).toHaveLength(3);
  });
});
