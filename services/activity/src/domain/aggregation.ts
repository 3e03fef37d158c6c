/**
 * What a change of activity's table does to the counters: pure, so the rules are unit-tested apart
 * from the stream. Counts are of what is visible: a new comment adds one to its item and its author,
 * a soft delete takes it away again; a reaction row added or removed moves its comment's counts.
 */
export interface CounterDelta {
  target:
    | { kind: 'item'; itemId: string }
    | { kind: 'comment'; commentId: string }
    | { kind: 'person'; userId: string };
  add: Record<string, number>;
}

export interface AggregationPlan {
  tenantId: string;
  deltas: CounterDelta[];
  /** The person who acted and when (kept as the latest seen, not counted). */
  activeAt?: { userId: string; at: string };
}

interface Image {
  kind?: unknown;
  tenantId?: unknown;
  itemId?: unknown;
  commentId?: unknown;
  authorId?: unknown;
  userId?: unknown;
  senderId?: unknown;
  type?: unknown;
  deleted?: unknown;
  createdAt?: unknown;
  editedAt?: unknown;
  deletedAt?: unknown;
  sentAt?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function planAggregation(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  oldImage: Image | undefined,
  newImage: Image | undefined,
): AggregationPlan | undefined {
  const image = newImage ?? oldImage;
  const tenantId = str(image?.tenantId);
  if (!image || !tenantId) return undefined;

  if (image.kind === 'comment') {
    const itemId = str(image.itemId);
    const authorId = str(image.authorId);
    if (!itemId || !authorId) return undefined;
    const wasVisible = eventName !== 'INSERT' && oldImage?.deleted === false;
    const isVisible = eventName !== 'REMOVE' && newImage?.deleted === false;
    const step = (isVisible ? 1 : 0) - (wasVisible ? 1 : 0);
    const deltas: CounterDelta[] =
      step === 0
        ? []
        : [
            { target: { kind: 'item', itemId }, add: { commentCount: step } },
            { target: { kind: 'person', userId: authorId }, add: { commentCount: step } },
          ];
    const at = str(newImage?.deletedAt) ?? str(newImage?.editedAt) ?? str(newImage?.createdAt);
    const actor = newImage?.deleted === true ? undefined : authorId;
    return {
      tenantId,
      deltas,
      ...(actor && at && eventName !== 'REMOVE' ? { activeAt: { userId: actor, at } } : {}),
    };
  }

  if (image.kind === 'reaction') {
    const commentId = str(image.commentId);
    const userId = str(image.userId);
    const type = str(image.type);
    if (!commentId || !userId || !type || eventName === 'MODIFY') return undefined;
    const step = eventName === 'INSERT' ? 1 : -1;
    const plan: AggregationPlan = {
      tenantId,
      deltas: [
        { target: { kind: 'comment', commentId }, add: { reactionCount: step, [`count_${type}`]: step } },
      ],
    };
    const at = str(newImage?.createdAt);
    if (eventName === 'INSERT' && at) plan.activeAt = { userId, at };
    return plan;
  }

  if (image.kind === 'message' && eventName === 'INSERT') {
    const senderId = str(image.senderId);
    const at = str(image.sentAt);
    if (!senderId || !at) return undefined;
    return { tenantId, deltas: [], activeAt: { userId: senderId, at } };
  }
  return undefined;
}

/** What identity is told when a person's counters change: totals, and the version they are at. */
export interface PersonActivity {
  tenantId: string;
  userId: string;
  commentCount: number;
  lastActiveAt?: string;
  countersVersion: number;
}

interface PersonImage {
  kind?: unknown;
  tenantId?: unknown;
  userId?: unknown;
  commentCount?: unknown;
  lastActiveAt?: unknown;
  countersVersion?: unknown;
}

/**
 * A person item's change as identity should hear it: only when the counters moved (a name change
 * from identity's own events says nothing new), with the totals of the new image.
 */
export function personActivityChange(
  oldImage: PersonImage | undefined,
  newImage: PersonImage | undefined,
): PersonActivity | undefined {
  if (newImage?.kind !== 'person') return undefined;
  const tenantId = str(newImage.tenantId);
  const userId = str(newImage.userId);
  const version = Number(newImage.countersVersion ?? 0);
  if (!tenantId || !userId || !(version > 0)) return undefined;
  if (Number(oldImage?.countersVersion ?? 0) === version) return undefined;
  const lastActiveAt = str(newImage.lastActiveAt);
  return {
    tenantId,
    userId,
    commentCount: Math.max(0, Number(newImage.commentCount ?? 0)),
    ...(lastActiveAt ? { lastActiveAt } : {}),
    countersVersion: version,
  };
}
