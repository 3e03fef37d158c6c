// An in-memory stand-in for the identity table behind aws-sdk-client-mock: Get, Put, Update and
// Delete with the few conditions the adapters under test use, so unit tests can exercise them end to end.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;

function conditionFailed(): Error {
  const error = new Error('The conditional request failed');
  error.name = 'ConditionalCheckFailedException';
  return error;
}

/**
 * Evaluates the condition forms the adapters under test use: terms joined by ` AND `, alternatives
 * by ` OR ` (no parentheses); a term is `attribute_exists(#a)`, `attribute_not_exists(#a)`,
 * `#a = :b` or `#a < :b`.
 */
function holds(
  condition: string | undefined,
  item: Item | undefined,
  names: Item = {},
  values: Item = {},
): boolean {
  if (!condition) return true;
  const attribute = (name: string) => item?.[String(names[name] ?? name)];
  const term = (part: string): boolean => {
    const exists = /^attribute_(not_)?exists\((.+)\)$/.exec(part);
    if (exists) return (attribute(exists[2]!) === undefined) === Boolean(exists[1]);
    const [name, operator, value] = part.split(' ') as [string, string, string];
    const held = attribute(name);
    if (held === undefined) return false;
    if (operator === '=') return held === values[value];
    if (operator === '<') return (held as number | string) < (values[value] as number | string);
    throw new Error(`fake table: unsupported condition ${part}`);
  };
  return condition
    .split(' OR ')
    .some((alternative) => alternative.split(' AND ').every((part) => term(part.trim())));
}

/** What every write carries: the key (or the item) and its condition. */
interface WriteInput {
  Key?: Item;
  Item?: Item;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Item;
  ExpressionAttributeValues?: Item;
}

export function fakeTable() {
  const items = new Map<string, Item>();
  const keyOf = (key: Item) => `${String(key.pk)}|${String(key.sk)}`;
  /** The key of the written item, once its condition holds (else DynamoDB's condition failure). */
  const checked = (input: WriteInput): string => {
    const key = keyOf((input.Key ?? input.Item)!);
    const current = items.get(key);
    if (
      !holds(
        input.ConditionExpression,
        current,
        input.ExpressionAttributeNames,
        input.ExpressionAttributeValues,
      )
    ) {
      throw conditionFailed();
    }
    return key;
  };
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(client);
  mock.on(GetCommand).callsFake((input: { Key: Item }) => {
    const item = items.get(keyOf(input.Key));
    return { Item: item ? structuredClone(item) : undefined };
  });
  mock.on(PutCommand).callsFake((input: WriteInput & { Item: Item }) => {
    items.set(checked(input), structuredClone(input.Item));
    return {};
  });
  mock.on(UpdateCommand).callsFake(
    (
      input: WriteInput & {
        Key: Item;
        UpdateExpression: string;
        ExpressionAttributeNames: Item;
        ExpressionAttributeValues: Item;
      },
    ) => {
      const key = checked(input);
      const next: Item = { ...(items.get(key) ?? input.Key) };
      // `SET #a = :a, #b = :b` with an optional `REMOVE #c, #d` after it.
      const [set, remove] = input.UpdateExpression.split(' REMOVE ') as [string, string | undefined];
      for (const assignment of set.replace(/^SET /, '').split(', ')) {
        const [name, value] = assignment.split(' = ') as [string, string];
        next[String(input.ExpressionAttributeNames[name])] = input.ExpressionAttributeValues[value];
      }
      for (const name of remove?.split(', ') ?? []) delete next[String(input.ExpressionAttributeNames[name])];
      items.set(key, next);
      return {};
    },
  );
  mock.on(DeleteCommand).callsFake((input: WriteInput) => {
    items.delete(checked(input));
    return {};
  });
  return {
    client,
    mock,
    items,
    get: (pk: string, sk: string) => items.get(`${pk}|${sk}`),
    put: (item: Item) => items.set(keyOf(item), item),
  };
}

export function givenUser(table: ReturnType<typeof fakeTable>, email = 'ann@example.com') {
  const user = {
    userId: 'usr_01ANN',
    tenantId: 'ten_01ACME',
    email,
    emailVerified: false,
    role: 'admin',
    groups: ['Admins'],
    createdAt: '2025-01-01T00:00:00.000Z',
  };
  table.put({ pk: `USER#${user.userId}`, sk: 'USER', ...user });
  table.put({ pk: `EMAIL#${email}`, sk: 'EMAIL', email, userId: user.userId, tenantId: user.tenantId });
  return user;
}
