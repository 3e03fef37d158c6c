import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoSignIn } from '../../../src/adapters/sign-in';
import { CODE_TTL_MS } from '../../../src/domain/otp';
import { aUser } from '../domain/fixtures';
import { fakeTable, givenUser } from './fake-table';

const T0 = new Date('2025-03-01T10:00:00.000Z');

function awsError(name: string): Error {
  const error = new Error(name);
  error.name = name;
  return error;
}

function setup() {
  const table = fakeTable();
  const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
  const idp = mockClient(cognito);
  let now = T0;
  const signIn = new CognitoSignIn({
    tableName: 'identity-test',
    userPoolId: 'us-east-1_POOL',
    clientId: 'client-1',
    cognito,
    client: table.client,
    now: () => now,
  });
  idp.on(AdminGetUserCommand).resolves({ Username: 'usr_01ANN' });
  idp.on(InitiateAuthCommand).resolves({ ChallengeName: 'EMAIL_OTP', Session: 'session-1' });
  return { table, idp, signIn, setNow: (d: Date) => (now = d) };
}

describe('CognitoSignIn (USER_AUTH + EMAIL_OTP)', () => {
  it('starts USER_AUTH with the user id as username and keeps the session server-side', async () => {
    const { table, idp, signIn } = setup();
    givenUser(table);
    await signIn.startLogin('Ann@example.com');
    expect(idp.commandCalls(InitiateAuthCommand)[0]?.args[0].input).toEqual({
      AuthFlow: 'USER_AUTH',
      ClientId: 'client-1',
      AuthParameters: { USERNAME: 'usr_01ANN', PREFERRED_CHALLENGE: 'EMAIL_OTP' },
    });
    expect(table.get('OTP#ann@example.com', 'OTP')).toMatchObject({
      session: 'session-1',
      userId: 'usr_01ANN',
      attemptsLeft: 5,
      used: false,
    });
  });

  it('creates the pool user on first sign-in: no password, no invitation, verified e-mail, tenant, groups', async () => {
    const { table, idp, signIn } = setup();
    givenUser(table);
    idp.on(AdminGetUserCommand).rejects(awsError('UserNotFoundException'));
    idp.on(AdminCreateUserCommand).resolves({});
    idp.on(AdminAddUserToGroupCommand).resolves({});
    await signIn.startLogin('ann@example.com');
    const created = idp.commandCalls(AdminCreateUserCommand)[0]?.args[0].input;
    expect(created).toMatchObject({
      UserPoolId: 'us-east-1_POOL',
      Username: 'usr_01ANN',
      MessageAction: 'SUPPRESS',
    });
    expect(created?.TemporaryPassword).toBeUndefined();
    expect(created?.UserAttributes).toEqual([
      { Name: 'email', Value: 'ann@example.com' },
      { Name: 'email_verified', Value: 'true' },
      { Name: 'custom:tenantId', Value: 'ten_01ACME' },
    ]);
    expect(idp.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input.GroupName).toBe('Admins');
  });

  it('does not call Cognito at all for an unknown address, nor twice within a minute', async () => {
    const { table, idp, signIn } = setup();
    await signIn.startLogin('nobody@example.com');
    expect(idp.calls()).toHaveLength(0);
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    await signIn.startLogin('ann@example.com');
    expect(idp.commandCalls(InitiateAuthCommand)).toHaveLength(1);
  });

  it('answers the challenge and returns Cognito tokens, once', async () => {
    const { table, idp, signIn } = setup();
    givenUser(table);
    idp.on(RespondToAuthChallengeCommand).resolves({
      AuthenticationResult: {
        IdToken: 'id',
        AccessToken: 'access',
        RefreshToken: 'cognito-refresh',
        ExpiresIn: 3600,
        TokenType: 'Bearer',
      },
    });
    await signIn.startLogin('ann@example.com');
    const signedIn = await signIn.completeLogin('ann@example.com', '123456');
    expect(signedIn?.tokens).toEqual({
      idToken: 'id',
      accessToken: 'access',
      expiresIn: 3600,
      tokenType: 'Bearer',
    });
    // The pool's refresh token goes to the session item, never to the client.
    expect(signedIn).toMatchObject({
      user: { userId: 'usr_01ANN', tenantId: 'ten_01ACME', sessionEpoch: 0 },
      providerRefreshToken: 'cognito-refresh',
    });
    expect(idp.commandCalls(RespondToAuthChallengeCommand)[0]?.args[0].input).toEqual({
      ClientId: 'client-1',
      ChallengeName: 'EMAIL_OTP',
      Session: 'session-1',
      ChallengeResponses: { USERNAME: 'usr_01ANN', EMAIL_OTP_CODE: '123456' },
    });
    await expect(signIn.completeLogin('ann@example.com', '123456')).resolves.toBeUndefined();
    expect(idp.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(1);
  });

  it('maps Cognito refusals to the generic failure and stops after 5 attempts', async () => {
    const { table, idp, signIn } = setup();
    givenUser(table);
    idp.on(RespondToAuthChallengeCommand).rejects(awsError('CodeMismatchException'));
    await signIn.startLogin('ann@example.com');
    for (let i = 0; i < 6; i++)
      await expect(signIn.completeLogin('ann@example.com', '000000')).resolves.toBeUndefined();
    expect(idp.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(5);
  });

  it('refuses after 10 minutes without asking Cognito', async () => {
    const { table, idp, signIn, setNow } = setup();
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    setNow(new Date(T0.getTime() + CODE_TTL_MS));
    await expect(signIn.completeLogin('ann@example.com', '123456')).resolves.toBeUndefined();
    expect(idp.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(0);
  });

  it('lets unexpected Cognito errors surface (a 500, not a silent refusal)', async () => {
    const { table, idp, signIn } = setup();
    givenUser(table);
    idp.on(RespondToAuthChallengeCommand).rejects(awsError('InternalErrorException'));
    await signIn.startLogin('ann@example.com');
    await expect(signIn.completeLogin('ann@example.com', '123456')).rejects.toThrow('InternalErrorException');
  });

  it('treats a suspended person like an unknown address: no code, and a code sent before is refused', async () => {
    const { table, idp, signIn } = setup();
    const user = givenUser(table);
    table.put({ pk: `USER#${user.userId}`, sk: 'USER', ...user, status: 'suspended' });
    await signIn.startLogin('ann@example.com');
    expect(idp.calls()).toHaveLength(0);

    table.put({ pk: `USER#${user.userId}`, sk: 'USER', ...user, status: 'active' });
    await signIn.startLogin('ann@example.com');
    table.put({ pk: `USER#${user.userId}`, sk: 'USER', ...user, status: 'suspended' });
    await expect(signIn.completeLogin('ann@example.com', '123456')).resolves.toBeUndefined();
    expect(idp.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(0);
  });
});

describe('CognitoSignIn sessions', () => {
  const user = aUser({ userId: 'usr_01ANN', tenantId: 'ten_01ACME' });

  it("refreshes with REFRESH_TOKEN_AUTH and the session's pool token; a refusal is undefined", async () => {
    const { idp, signIn } = setup();
    idp.on(InitiateAuthCommand).resolves({
      AuthenticationResult: { IdToken: 'id-2', AccessToken: 'access-2', ExpiresIn: 900 },
    });
    await expect(signIn.reissue(user, 'cognito-refresh')).resolves.toEqual({
      idToken: 'id-2',
      accessToken: 'access-2',
      expiresIn: 900,
      tokenType: 'Bearer',
    });
    expect(idp.commandCalls(InitiateAuthCommand)[0]?.args[0].input).toEqual({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: 'client-1',
      AuthParameters: { REFRESH_TOKEN: 'cognito-refresh' },
    });
    idp.on(InitiateAuthCommand).rejects(awsError('NotAuthorizedException'));
    await expect(signIn.reissue(user, 'cognito-refresh')).resolves.toBeUndefined();
    await expect(signIn.reissue(user, undefined)).resolves.toBeUndefined();
    idp.on(InitiateAuthCommand).rejects(awsError('InternalErrorException'));
    await expect(signIn.reissue(user, 'cognito-refresh')).rejects.toThrow('InternalErrorException');
  });

  it("revokes the pool's refresh token when a session ends, and does not fail when Cognito does", async () => {
    const { idp, signIn } = setup();
    idp.on(RevokeTokenCommand).resolves({});
    await signIn.endSession('cognito-refresh');
    expect(idp.commandCalls(RevokeTokenCommand)[0]?.args[0].input).toEqual({
      ClientId: 'client-1',
      Token: 'cognito-refresh',
    });
    idp.on(RevokeTokenCommand).rejects(awsError('InternalErrorException'));
    await expect(signIn.endSession('cognito-refresh')).resolves.toBeUndefined();
    await signIn.endSession(undefined);
    expect(idp.commandCalls(RevokeTokenCommand)).toHaveLength(2);
  });
});
