/**
 * What the checkout consumer reads and writes beside identity's tenant creation: whom an e-mail
 * belongs to (its claim item), and, when it belongs to a person already, the record that the checkout
 * went to that person's tenant (`CHECKOUT#<sessionId>` / `CHECKOUT`) written with CheckoutLinked in
 * one transaction, so the event is published once per checkout.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CheckoutLinked } from '@switchyard/contracts';
import { dynamoDbDocumentClient, isCancelledByCondition, outboxPut } from '@switchyard/runtime';
import { keys } from './identity-store';

export const checkoutKey = (sessionId: string) => ({ pk: `CHECKOUT#${sessionId}`, sk: 'CHECKOUT' });

export interface EmailOwner {
  userId: string;
  tenantId: string;
}

export interface CheckoutStore {
  emailOwner(email: string): Promise<EmailOwner | undefined>;
  linkedTenant(sessionId: string): Promise<string | undefined>;
  /** False when the checkout was linked already (a redelivery). */
  linkToExistingPerson(input: { sessionId: string; owner: EmailOwner; now: Date }): Promise<boolean>;
}

export function createCheckoutStore(
  tableName: string,
  client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
): CheckoutStore {
  const get = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  return {
    async emailOwner(email) {
      const item = await get(keys.emailClaim(email));
      return item ? { userId: String(item.userId), tenantId: String(item.tenantId) } : undefined;
    },
    async linkedTenant(sessionId) {
      const item = await get(checkoutKey(sessionId));
      return item ? String(item.tenantId) : undefined;
    },
    async linkToExistingPerson({ sessionId, owner, now }) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...checkoutKey(sessionId),
                    type: 'checkout',
                    sessionId,
                    tenantId: owner.tenantId,
                    userId: owner.userId,
                    outcome: 'linked_to_existing_person',
                    linkedAt: now.toISOString(),
                  },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': 'pk' },
                },
              },
              outboxPut(tableName, CheckoutLinked, {
                tenantId: owner.tenantId,
                checkoutSessionId: sessionId,
                userId: owner.userId,
                reason: 'email_belongs_to_person',
                linkedAt: now.toISOString(),
              }),
            ],
          }),
        );
        return true;
      } catch (error) {
        if (isCancelledByCondition(error, 0)) return false;
        throw error;
      }
    },
  };
}
