// The one bearer check of every service: API key or person's JWT, one 401 whatever the reason.
import { ConfigError, unauthorized } from '@switchyard/runtime';
import { authenticateBearer } from '../../src/bearer-auth';
import type { BearerAuthOptions } from '../../src/bearer-auth';
import type { Person } from '../../src/person-tokens';
import { makeKey } from './fixtures';

const API_KEY = makeKey().plaintext;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl';
const MESSAGE = 'Missing or invalid credentials.';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function options(
  overrides: { key?: string | undefined | Error; person?: Person | Error; persons?: boolean } = {},
) {
  const log = { info: jest.fn() };
  const verifyApiKey = jest.fn(async (_token: string) => {
    if (overrides.key instanceof Error) throw overrides.key;
    return 'key' in overrides ? overrides.key : 'the-key';
  });
  const verifyPerson = jest.fn(async (_token: string): Promise<Person> => {
    if (overrides.person instanceof Error) throw overrides.person;
    return overrides.person ?? { userId: 'usr_1', groups: ['Admins'], tenantId: 'ten_A' };
  });
  const built: BearerAuthOptions<string> = {
    verifyApiKey,
    message: MESSAGE,
    log,
    ...(overrides.persons === false ? {} : { verifyPerson }),
  };
  return { built, log, verifyApiKey, verifyPerson };
}

/** What every refusal is: the one 401, whatever the reason. */
const REFUSAL = {
  status: 401,
  code: 'unauthorized',
  message: MESSAGE,
  headers: { 'WWW-Authenticate': 'Bearer' },
};

describe('authenticateBearer', () => {
  it('hands an API key to verifyApiKey and answers the key it returns', async () => {
    const o = options();
    await expect(authenticateBearer(bearer(API_KEY), o.built)).resolves.toEqual({
      kind: 'apiKey',
      key: 'the-key',
    });
    expect(o.verifyApiKey).toHaveBeenCalledWith(API_KEY);
    expect(o.verifyPerson).not.toHaveBeenCalled();
  });

  it.each([
    ['returns nothing', undefined],
    ['throws a 401 of its own', unauthorized('Missing or invalid API key')],
  ])('answers the one 401 when the key check %s', async (_label, key) => {
    await expect(authenticateBearer(bearer(API_KEY), options({ key }).built)).rejects.toMatchObject(REFUSAL);
  });

  it('lets other errors of the key check through (a 500, not the caller’s fault)', async () => {
    await expect(
      authenticateBearer(bearer(API_KEY), options({ key: new Error('DynamoDB down') }).built),
    ).rejects.toThrow('DynamoDB down');
  });

  it("answers a person's token with the verified person", async () => {
    const o = options();
    await expect(authenticateBearer(bearer(JWT), o.built)).resolves.toEqual({
      kind: 'person',
      person: { userId: 'usr_1', groups: ['Admins'], tenantId: 'ten_A' },
    });
    expect(o.verifyPerson).toHaveBeenCalledWith(JWT);
    expect(o.verifyApiKey).not.toHaveBeenCalled();
  });

  it('answers an invalid token with the one 401 and logs why, never the token', async () => {
    const o = options({ person: new Error('"exp" claim timestamp check failed') });
    await expect(authenticateBearer(bearer(JWT), o.built)).rejects.toMatchObject(REFUSAL);
    expect(JSON.stringify(o.log.info.mock.calls)).toContain('exp');
    expect(JSON.stringify(o.log.info.mock.calls)).not.toContain(JWT);
  });

  it('lets a configuration error of the person check surface as a bug', async () => {
    const o = options({ person: new ConfigError(['ISSUER_URL'], []) });
    await expect(authenticateBearer(bearer(JWT), o.built)).rejects.toBeInstanceOf(ConfigError);
  });

  it('refuses a JWT when the service takes API keys only', async () => {
    const o = options({ persons: false });
    await expect(authenticateBearer(bearer(JWT), o.built)).rejects.toMatchObject(REFUSAL);
    expect(o.verifyPerson).not.toHaveBeenCalled();
  });

  it.each([
    ['no header', {}],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['another scheme', { authorization: `Basic ${API_KEY}` }],
    ['garbage', bearer('not-a-key-or-token')],
  ])('answers %s with the one 401 and checks nothing', async (_label, headers) => {
    const o = options();
    await expect(authenticateBearer(headers, o.built)).rejects.toMatchObject(REFUSAL);
    expect(o.verifyApiKey).not.toHaveBeenCalled();
    expect(o.verifyPerson).not.toHaveBeenCalled();
  });
});
