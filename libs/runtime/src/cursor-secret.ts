/**
 * The secret that signs a table's pagination cursors (see ./pagination.ts), kept in the table
 * itself rather than in configuration: no secret in serverless.yml or the environment, one per
 * stage because each stage has its own table.
 *
 * On first use, 32 random bytes are written with a conditional put: the first writer wins and
 * every container then reads the same value back (`getOrCreateItem`). Each container caches it.
 * Rotating it is deleting the item: containers started afterwards create a new one, and
 * outstanding cursors then fail as `invalid_cursor` (clients start the listing again).
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getOrCreateItem } from './conditional-writes';

/** The item every service keeps its cursor secret in, in its own table. */
export const CURSOR_SECRET_KEY = { pk: 'SECRET#cursor', sk: 'SECRET' } as const;

const SECRET_BYTES = 32;

export interface TableCursorSecretOptions {
  client: () => DynamoDBDocumentClient;
  tableName: () => string;
  /** Default CURSOR_SECRET_KEY. */
  key?: { pk: string; sk: string };
  /** Further attributes of the item, e.g. the table's item-type marker (`{ kind: 'secret' }`). */
  attributes?: Readonly<Record<string, unknown>>;
  now?: () => Date;
}

/**
 * The table's cursor secret, created on first use and cached by the returned function (a failed
 * load is not cached, so the next call tries again).
 */
export function tableCursorSecret(options: TableCursorSecretOptions): () => Promise<Buffer> {
  let cached: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const item = await getOrCreateItem(
      options.tableName(),
      options.key ?? CURSOR_SECRET_KEY,
      () => ({
        ...options.attributes,
        secret: randomBytes(SECRET_BYTES).toString('base64'),
        createdAt: (options.now?.() ?? new Date()).toISOString(),
      }),
      options.client(),
    );
    if (typeof item.secret !== 'string') throw new Error('the cursor secret item holds no secret');
    return Buffer.from(item.secret, 'base64');
  };
  return () => {
    cached ??= load().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
