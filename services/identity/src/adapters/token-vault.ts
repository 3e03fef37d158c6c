/**
 * Where third-party tokens and the connections' own secrets live, behind one interface.
 *
 * - AWS (`CONNECTIONS_BACKEND=aws`): Secrets Manager. Tokens of one connection are one secret,
 *   `switchyard/<stage>/connection-tokens/<provider>/<userId>`; the OAuth state's HMAC key is
 *   `switchyard/<stage>/connections-state-key`, created on first use.
 * - Local cloud (`CONNECTIONS_BACKEND=local`): AES-256-GCM encrypted items in identity's table
 *   (`VAULT#<userId>#<provider>` / `VAULT`), the item's key bound as additional authenticated data so a
 *   ciphertext cannot be moved to another user's item. The data key is generated once and stored in
 *   the same table (`SECRET#<name>` / `SECRET`), so on a developer's machine this protects
 *   nothing: anyone who can read the table can read the key. It exists so the local cloud runs the
 *   same code path (tokens never written in clear, one `TokenVault` call site) as AWS.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient, getOrCreateItem } from '@switchyard/runtime';
import { z } from 'zod';
import type { ProviderTokens } from '../domain/oauth';
import { secretsManagerSdk } from './aws-sdks';
import { secretsManagerClient } from './providers';
import type { ConnectionsConfig } from './providers';

export interface TokenVault {
  get(userId: string, provider: string): Promise<ProviderTokens | undefined>;
  /** Replaces the stored tokens (a refresh's new single-use refresh token included). */
  put(userId: string, provider: string, tokens: ProviderTokens): Promise<void>;
}

const storedTokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.string().optional(),
  scope: z.string().optional(),
});

function decodeTokens(json: string): ProviderTokens {
  const parsed = storedTokensSchema.parse(JSON.parse(json));
  return {
    accessToken: parsed.accessToken,
    ...(parsed.refreshToken === undefined ? {} : { refreshToken: parsed.refreshToken }),
    ...(parsed.expiresAt === undefined ? {} : { expiresAt: parsed.expiresAt }),
    ...(parsed.scope === undefined ? {} : { scope: parsed.scope }),
  };
}

// ---- Local: encrypted table items --------------------------------------------------------------

export const vaultKey = (userId: string, provider: string) => ({
  pk: `VAULT#${userId}#${provider}`,
  sk: 'VAULT',
});

export const localSecretKey = (name: string) => ({ pk: `SECRET#${name}`, sk: 'SECRET' });

/** A 32-byte random secret stored in the table on first use (local cloud only), base64. */
export async function localSecret(tableName: string, name: string): Promise<Buffer> {
  const item = await getOrCreateItem(tableName, localSecretKey(name), () => ({
    value: randomBytes(32).toString('base64'),
    createdAt: new Date().toISOString(),
  }));
  return Buffer.from(String(item.value), 'base64');
}

const VAULT_KEY_NAME = 'connections-vault-key';
const ALGORITHM = 'aes-256-gcm';

export function encryptTokens(key: Buffer, aad: string, tokens: ProviderTokens) {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

export function decryptTokens(
  key: Buffer,
  aad: string,
  sealed: { iv: string; ciphertext: string; tag: string },
): ProviderTokens {
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  return decodeTokens(plain.toString('utf8'));
}

export class TableTokenVault implements TokenVault {
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly ddb: DynamoDBDocumentClient = dynamoDbDocumentClient(),
    private readonly keySource: () => Promise<Buffer> = () => localSecret(tableName, VAULT_KEY_NAME),
  ) {}

  private dataKey(): Promise<Buffer> {
    this.key ??= this.keySource().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  async get(userId: string, provider: string): Promise<ProviderTokens | undefined> {
    const key = vaultKey(userId, provider);
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return decryptTokens(
      await this.dataKey(),
      key.pk,
      Item as { iv: string; ciphertext: string; tag: string },
    );
  }

  async put(userId: string, provider: string, tokens: ProviderTokens): Promise<void> {
    const key = vaultKey(userId, provider);
    const sealed = encryptTokens(await this.dataKey(), key.pk, tokens);
    await this.ddb.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key, ...sealed, updatedAt: new Date().toISOString() },
      }),
    );
  }
}

// ---- AWS: Secrets Manager ----------------------------------------------------------------------

export const tokenSecretName = (stage: string, userId: string, provider: string) =>
  `switchyard/${stage}/connection-tokens/${provider}/${userId}`;

export const stateSecretName = (stage: string) => `switchyard/${stage}/connections-state-key`;

/** PutSecretValue, or CreateSecret the first time (PutSecretValue needs an existing secret). */
async function putSecret(client: SecretsManagerClient, name: string, value: string): Promise<void> {
  try {
    await client.send(
      new (secretsManagerSdk().PutSecretValueCommand)({ SecretId: name, SecretString: value }),
    );
  } catch (error) {
    if (!(error instanceof secretsManagerSdk().ResourceNotFoundException)) throw error;
    try {
      await client.send(
        new (secretsManagerSdk().CreateSecretCommand)({
          Name: name,
          SecretString: value,
          Tags: [{ Key: 'switchyard:service', Value: 'identity' }],
        }),
      );
    } catch (createError) {
      // Created by a concurrent writer in between: write our value as its new version.
      if (!(createError instanceof secretsManagerSdk().ResourceExistsException)) throw createError;
      await client.send(
        new (secretsManagerSdk().PutSecretValueCommand)({ SecretId: name, SecretString: value }),
      );
    }
  }
}

export class SecretsManagerTokenVault implements TokenVault {
  constructor(
    private readonly stage: string,
    private readonly client: SecretsManagerClient = secretsManagerClient(),
  ) {}

  async get(userId: string, provider: string): Promise<ProviderTokens | undefined> {
    try {
      const { SecretString } = await this.client.send(
        new (secretsManagerSdk().GetSecretValueCommand)({
          SecretId: tokenSecretName(this.stage, userId, provider),
        }),
      );
      return SecretString ? decodeTokens(SecretString) : undefined;
    } catch (error) {
      if (error instanceof secretsManagerSdk().ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async put(userId: string, provider: string, tokens: ProviderTokens): Promise<void> {
    await putSecret(this.client, tokenSecretName(this.stage, userId, provider), JSON.stringify(tokens));
  }
}

/** The HMAC key for OAuth states (at least 32 bytes), created on first use in either backend. */
export async function stateSecret(
  config: Pick<ConnectionsConfig, 'TABLE_NAME' | 'STAGE' | 'CONNECTIONS_BACKEND'>,
  client: SecretsManagerClient = secretsManagerClient(),
): Promise<Buffer> {
  if (config.CONNECTIONS_BACKEND === 'local') return localSecret(config.TABLE_NAME, 'connections-state-key');
  const name = stateSecretName(config.STAGE);
  const read = async () => {
    const { SecretString } = await client.send(
      new (secretsManagerSdk().GetSecretValueCommand)({ SecretId: name }),
    );
    return Buffer.from(SecretString ?? '', 'base64');
  };
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof secretsManagerSdk().ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(
      new (secretsManagerSdk().CreateSecretCommand)({
        Name: name,
        SecretString: randomBytes(32).toString('base64'),
      }),
    );
  } catch (error) {
    if (!(error instanceof secretsManagerSdk().ResourceExistsException)) throw error;
  }
  // Read back whichever value won, so every container signs with the same key.
  return read();
}

export function createTokenVault(
  config: Pick<ConnectionsConfig, 'TABLE_NAME' | 'STAGE' | 'CONNECTIONS_BACKEND'>,
): TokenVault {
  return config.CONNECTIONS_BACKEND === 'local'
    ? new TableTokenVault(config.TABLE_NAME)
    : new SecretsManagerTokenVault(config.STAGE);
}
