// The Cognito pre-token-generation trigger (V2_0) against a mocked table: the tenant in both tokens,
// the groups identity holds, and no tokens for a suspended or removed person.
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

process.env.TABLE_NAME = 'identity-test';
process.env.EVENT_BUS_NAME = 'switchyard-test-bus';
process.env.STAGE = 'test';

// Imported after the environment is set: the handler reads its config at first use.
import { handler } from '../../../src/handlers/pre-token-generation';

const ddb = mockClient(DynamoDBDocumentClient);
const TENANT = 'ten_01JX0000000000000000000000';

function event(userName: string): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_RefreshTokens',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_POOL',
    userName,
    callerContext: { awsSdkVersion: 'x', clientId: 'client-1' },
    request: {
      userAttributes: { sub: 'cognito-uuid', email: 'ann@example.com' },
      groupConfiguration: { groupsToOverride: ['Admins'], iamRolesToOverride: [] },
      scopes: ['aws.cognito.signin.user.admin'],
    },
    response: { claimsAndScopeOverrideDetails: null },
  } as unknown as PreTokenGenerationV2TriggerEvent;
}

const invoke = (e: PreTokenGenerationV2TriggerEvent) => handler(e, {} as Context, () => undefined);

function givenUser(item: Record<string, unknown> | undefined) {
  ddb.reset();
  ddb.on(GetCommand).resolves({ Item: item });
}

describe('pre-token-generation', () => {
  it("puts custom:tenantId in the id and the access token and the user's groups as identity holds them", async () => {
    givenUser({ userId: 'usr_1', tenantId: TENANT, email: 'ann@example.com', groups: ['Viewers'] });
    const result = await invoke(event('usr_1'));
    expect(result?.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { 'custom:tenantId': TENANT } },
        accessTokenGeneration: { claimsToAddOrOverride: { 'custom:tenantId': TENANT } },
        groupOverrideDetails: { groupsToOverride: ['Viewers'] },
      },
    });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'identity-test',
      Key: { pk: 'USER#usr_1', sk: 'USER' },
      ConsistentRead: true,
    });
  });

  it('fails (so Cognito issues no tokens) for a suspended or removed person', async () => {
    givenUser({ userId: 'usr_1', tenantId: TENANT, email: 'a@b.c', groups: ['Admins'], status: 'suspended' });
    await expect(invoke(event('usr_1'))).rejects.toThrow('may not sign in');
    givenUser(undefined);
    await expect(invoke(event('usr_1'))).rejects.toThrow('may not sign in');
  });
});
