/**
 * A DynamoDB condition as the domain's rules hand it to an adapter: attribute names always behind
 * `ExpressionAttributeNames` placeholders, values behind `ExpressionAttributeValues`.
 */
export interface WriteCondition {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, string | number>;
}
