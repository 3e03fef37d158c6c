// Sessions that last, against the real local cloud: a sign-in returns a refresh token; refreshing
// rotates it; a spent token revokes its whole session (the newest token too), also when two
// refreshes race with one token; logout ends a session and is idempotent; every failure is one 401.
import * as jose from 'jose';
import type { ErrorResponse } from './support/identity-api';
import type { IdentityCloud } from './support/identity-cloud';
import { startIdentityCloud, stopIdentityCloud } from './support/identity-cloud';
import type { SignedInTokens, TestPerson } from './support/people';
import { givenPerson, postJson, signIn } from './support/people';

let started: IdentityCloud;

const refresh = (refreshToken: unknown) => postJson(started.cloud, '/auth/refresh', { refreshToken });
const logout = (refreshToken: unknown) => postJson(started.cloud, '/auth/logout', { refreshToken });
const signedInPerson = async (): Promise<SignedInTokens & TestPerson> => {
  const person = await givenPerson(started.table, {
    label: 'session',
    tenantId: 'ten_SESSIONS',
    groups: ['Viewers'],
  });
  return { ...person, ...(await signIn(started.cloud, person)) };
};

/** A refresh token's 401: the one answer for every failure. */
function expectRefused(response: { status: number; body: Record<string, unknown> }) {
  expect(response.status).toBe(401);
  expect((response.body as unknown as ErrorResponse).error).toMatchObject({
    code: 'invalid_refresh_token',
    correlationId: expect.any(String),
  });
}

beforeAll(async () => {
  started = await startIdentityCloud();
});

afterAll(() => stopIdentityCloud(started));

describe('refresh tokens', () => {
  it('rotates: each refresh answers new id and access tokens and a new refresh token, twice in a row', async () => {
    const person = await signedInPerson();
    const first = await refresh(person.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ expiresIn: 900, tokenType: 'Bearer' });
    expect(first.body.refreshToken).not.toBe(person.refreshToken);
    const claims = jose.decodeJwt(String(first.body.accessToken));
    expect(claims).toMatchObject({
      sub: person.userId,
      'custom:tenantId': person.tenantId,
      token_use: 'access',
    });
    expect(jose.decodeJwt(String(first.body.idToken))).toMatchObject({ 'custom:tenantId': person.tenantId });

    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
  });

  it('revokes the whole session when a spent token comes back: the newest token stops working too', async () => {
    const person = await signedInPerson();
    const rotated = await refresh(person.refreshToken);
    expect(rotated.status).toBe(200);

    expectRefused(await refresh(person.refreshToken));
    expectRefused(await refresh(rotated.body.refreshToken));
  });

  it('lets only one of two refreshes racing with the same token through, and then none', async () => {
    const person = await signedInPerson();
    const racing = await Promise.all([refresh(person.refreshToken), refresh(person.refreshToken)]);
    expect(racing.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    for (const response of racing) {
      if (response.status === 200) expectRefused(await refresh(response.body.refreshToken));
      else expectRefused(response);
    }
  });

  it('ends a session on logout (204, again 204), and a logged-out token is refused', async () => {
    const person = await signedInPerson();
    const other = await signIn(started.cloud, person);
    expect((await logout(person.refreshToken)).status).toBe(204);
    expect((await logout(person.refreshToken)).status).toBe(204);
    expectRefused(await refresh(person.refreshToken));
    // Other sessions of the same person go on.
    expect((await refresh(other.refreshToken)).status).toBe(200);
    // A token that is no session's is a 204 too: logout tells nothing.
    expect((await logout('syr_nothing')).status).toBe(204);
  });

  it('refuses unknown and malformed tokens with the same 401, and a bad body with field details', async () => {
    expectRefused(
      await refresh('syr_0123456789abcdefghjkmnpqrs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    );
    expectRefused(await refresh('garbage'));
    const missing = await postJson(started.cloud, '/auth/refresh', {});
    expect(missing.status).toBe(400);
    expect((missing.body as unknown as ErrorResponse).error).toMatchObject({
      code: 'validation_failed',
      details: [expect.objectContaining({ path: 'refreshToken' })],
    });
    const long = await refresh('x'.repeat(600));
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).not.toContain('xxxxxxxx');
  });
});
