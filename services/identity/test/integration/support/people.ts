// People for the suites that need someone signed in: a user item and its e-mail claim written to
// identity's table (quicker than an invitation, and in any tenant id a suite likes; users.test.ts
// invites people through the API), then the real sign-in flow with the code read from the local
// cloud's SES mailbox.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { eventually } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';
import { IDENTITY_TABLE } from './identity-cloud';

export interface TestPerson {
  userId: string;
  tenantId: string;
  email: string;
  emailVerified: boolean;
  role: string;
  groups: string[];
  createdAt: string;
}

let count = 0;

/**
 * A person of `tenantId` in `groups`, written with their e-mail claim. `label` names them in ids and
 * addresses (`usr_<LABEL>…`, `<label>-…@example.com`), unique per call.
 */
export async function givenPerson(
  table: DynamoDBDocumentClient,
  options: { label: string; tenantId: string; groups: string[] },
): Promise<TestPerson> {
  count += 1;
  const suffix = `${Date.now().toString(36)}${process.pid.toString(36)}${count}`;
  const person: TestPerson = {
    userId: `usr_${options.label.toUpperCase()}${suffix.toUpperCase()}`,
    tenantId: options.tenantId,
    email: `${options.label.toLowerCase()}-${suffix}@example.com`,
    emailVerified: false,
    role: options.groups.includes('Admins') ? 'admin' : 'viewer',
    groups: options.groups,
    createdAt: new Date().toISOString(),
  };
  const put = (item: Record<string, unknown>) =>
    table.send(new PutCommand({ TableName: IDENTITY_TABLE, Item: item }));
  await put({ pk: `USER#${person.userId}`, sk: 'USER', ...person });
  const { email, userId, tenantId } = person;
  await put({ pk: `EMAIL#${email}`, sk: 'EMAIL', email, userId, tenantId });
  return person;
}

/** A JSON POST without credentials (the sign-in routes), and its JSON answer. */
export async function postJson(cloud: Pick<RunningLocalCloud, 'apiUrl'>, path: string, body: unknown) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Every e-mail the local mailbox holds for `email`, oldest first. */
export async function mailTo(cloud: Pick<RunningLocalCloud, 'endpoints'>, email: string) {
  return (await listEmails(cloud.endpoints.ses)).filter((mail) => mail.destination.to.includes(email));
}

/** The sign-in code e-mails the local mailbox holds for `email` (not invitations), oldest first. */
export async function signInMailsTo(cloud: Pick<RunningLocalCloud, 'endpoints'>, email: string) {
  return (await mailTo(cloud, email)).filter((mail) =>
    mail.subject.startsWith('Your Switchyard sign-in code'),
  );
}

/**
 * The code of the latest sign-in e-mail to `email`, waiting for it to arrive; with `after`, for the
 * e-mail that follows the first `after` ones (a second sign-in of the same person).
 */
export function codeFor(
  cloud: Pick<RunningLocalCloud, 'endpoints'>,
  email: string,
  options: { after?: number } = {},
): Promise<string> {
  return eventually(
    async () => {
      const mails = await signInMailsTo(cloud, email);
      if (mails.length <= (options.after ?? 0)) return undefined;
      return /\b(\d{6})\b/.exec(mails.at(-1)?.subject ?? '')?.[1];
    },
    { what: `a sign-in code e-mailed to ${email}` },
  );
}

/** What `/auth/verify` answers. */
export interface SignedInTokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs `person` in through `/auth/login` and `/auth/verify`: their tokens. */
export async function signIn(
  cloud: Pick<RunningLocalCloud, 'apiUrl' | 'endpoints'>,
  person: { email: string },
): Promise<SignedInTokens> {
  const before = (await signInMailsTo(cloud, person.email)).length;
  expect((await postJson(cloud, '/auth/login', { email: person.email })).status).toBe(202);
  const verify = await postJson(cloud, '/auth/verify', {
    email: person.email,
    code: await codeFor(cloud, person.email, { after: before }),
  });
  expect(verify.status).toBe(200);
  return {
    idToken: String(verify.body.idToken),
    accessToken: String(verify.body.accessToken),
    refreshToken: String(verify.body.refreshToken),
  };
}

/** A person in `groups`, signed in: the person and their access token. */
export async function givenSignedInPerson(
  started: { cloud: RunningLocalCloud; table: DynamoDBDocumentClient },
  options: { label: string; tenantId: string; groups: string[] },
): Promise<TestPerson & { token: string }> {
  const person = await givenPerson(started.table, options);
  return { ...person, token: (await signIn(started.cloud, person)).accessToken };
}
