import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { callbackUrl, parseProviders } from '../../../src/adapters/providers';
import {
  decryptTokens,
  encryptTokens,
  SecretsManagerTokenVault,
  tokenSecretName,
} from '../../../src/adapters/token-vault';

describe('local vault encryption (AES-256-GCM)', () => {
  const key = Buffer.alloc(32, 1);
  const tokens = {
    accessToken: 'at_secret',
    refreshToken: 'rt_secret',
    expiresAt: '2030-01-01T00:00:00.000Z',
  };

  it('round-trips and never stores a token in clear', () => {
    const sealed = encryptTokens(key, 'VAULT#usr_1#fake', tokens);
    expect(JSON.stringify(sealed)).not.toMatch(/at_secret|rt_secret/);
    expect(decryptTokens(key, 'VAULT#usr_1#fake', sealed)).toEqual(tokens);
  });

  it('refuses a ciphertext moved to another item, a changed byte or another key', () => {
    const sealed = encryptTokens(key, 'VAULT#usr_1#fake', tokens);
    expect(() => decryptTokens(key, 'VAULT#usr_2#fake', sealed)).toThrow();
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() =>
      decryptTokens(key, 'VAULT#usr_1#fake', { ...sealed, ciphertext: bytes.toString('base64') }),
    ).toThrow();
    expect(() => decryptTokens(Buffer.alloc(32, 2), 'VAULT#usr_1#fake', sealed)).toThrow();
  });
});

describe('Secrets Manager vault', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());

  it('creates the secret on first write (PutSecretValue needs an existing secret)', async () => {
    sm.on(PutSecretValueCommand).rejectsOnce(
      new ResourceNotFoundException({ message: 'not found', $metadata: {} }),
    );
    sm.on(CreateSecretCommand).resolves({});
    const vault = new SecretsManagerTokenVault('dev', new SecretsManagerClient({}));
    await vault.put('usr_1', 'github', { accessToken: 'a', refreshToken: 'r' });
    const create = sm.commandCalls(CreateSecretCommand)[0]?.args[0].input;
    expect(create?.Name).toBe(tokenSecretName('dev', 'usr_1', 'github'));
    expect(create?.Name).toBe('switchyard/dev/connection-tokens/github/usr_1');
    expect(JSON.parse(create?.SecretString ?? '{}')).toEqual({ accessToken: 'a', refreshToken: 'r' });
  });
});

describe('provider configuration', () => {
  const github = {
    name: 'github',
    authorizeUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
    clientId: 'abc',
    scopes: ['repo'],
  };

  it('parses CONNECTION_PROVIDERS and rejects duplicates, secrets and bad URLs', () => {
    expect(parseProviders(JSON.stringify([github]))).toEqual([github]);
    expect(parseProviders('[]')).toEqual([]);
    expect(() => parseProviders(JSON.stringify([github, github]))).toThrow(/twice/);
    expect(() => parseProviders(JSON.stringify([{ ...github, clientSecret: 'x' }]))).toThrow();
    expect(() => parseProviders(JSON.stringify([{ ...github, tokenUrl: 'ftp://x' }]))).toThrow();
    expect(() => parseProviders('{nope')).toThrow(/JSON/);
  });

  it('builds the same redirect URI at start and callback', () => {
    expect(callbackUrl('github', { host: '127.0.0.1:3000' })).toBe(
      'http://127.0.0.1:3000/connections/github/callback',
    );
    expect(callbackUrl('github', { host: 'abc.execute-api.eu-west-1.amazonaws.com' })).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/connections/github/callback',
    );
    expect(callbackUrl('github', { host: 'x' }, 'https://api.example.com/')).toBe(
      'https://api.example.com/connections/github/callback',
    );
  });
});
