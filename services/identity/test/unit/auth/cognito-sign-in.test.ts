import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoSignIn } from '../../../src/adapters/sign-in';
import { CODE_TTL_MS } from '../../../src/domain/otp';
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
      AuthenticationResult: { IdToken: 'id', AccessToken: 'access', ExpiresIn: 3600, TokenType: 'Bearer' },
    });
    await signIn.startLogin('ann@example.com');
    await expect(signIn.completeLogin('ann@example.com', '123456')).resolves.toEqual({
      idToken: 'id',
      accessToken: 'access',
      expiresIn: 3600,
      tokenType: 'Bearer',
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
});
