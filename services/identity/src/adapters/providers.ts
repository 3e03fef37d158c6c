/**
 * Which OAuth 2 providers a stage offers, and where their client secrets live.
 *
 * - Provider settings (name, authorizeUrl, tokenUrl, clientId, scopes...) come from the
 *   `CONNECTION_PROVIDERS` environment variable: a JSON array of `ProviderConfig`, set per stage in
 *   serverless.yml. No secret is ever in it.
 * - Client secrets: on AWS (`CONNECTIONS_BACKEND=aws`) from Secrets Manager under the conventional
 *   name `switchyard/<stage>/connections/<provider>` (a plain string secret), cached per container.
 * - Local cloud only (`CONNECTIONS_BACKEND=local`): a provider can also be registered in the table
 *   (`PROVIDER#<name>` / `PROVIDER`, with its client secret) by an operator or a test, with
 *   `registerLocalProvider`. This is how a test points the local stage at a fake provider whose port
 *   is only known at run time: functions only see their template's environment, and the template is
 *   packaged once for every suite. Table entries win over `CONNECTION_PROVIDERS` entries of the same
 *   name. AWS stages never read these items.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { defineConfig, dynamoDbDocumentClient } from '@switchyard/runtime';
import { z } from 'zod';
import type { ProviderConfig } from '../domain/oauth';
import { providerNameSchema } from '../domain/oauth';
import { secretsManagerSdk } from './aws-sdks';

export const connectionsConfig = defineConfig(
  z.object({
    TABLE_NAME: z.string().min(1),
    STAGE: z.string().min(1),
    /** `aws`: Secrets Manager for tokens and secrets. `local`: the local cloud's encrypted table items. */
    CONNECTIONS_BACKEND: z.enum(['aws', 'local']).default('aws'),
    /** JSON array of provider settings (no secrets). */
    CONNECTION_PROVIDERS: z.string().default('[]'),
    /** Public base URL of the API for redirect URIs, e.g. `https://api.example.com`; else from the request. */
    CONNECTIONS_CALLBACK_BASE_URL: z.url().optional(),
    /** Where the callback sends the browser afterwards (`?provider=&status=`); else it answers JSON. */
    CONNECTIONS_RETURN_URL: z.url().optional(),
  }),
);
export type ConnectionsConfig = ReturnType<typeof connectionsConfig>;

const httpUrl = z.url({ protocol: /^https?$/ });

export const providerConfigSchema = z.strictObject({
  name: providerNameSchema,
  authorizeUrl: httpUrl,
  tokenUrl: httpUrl,
  clientId: z.string().min(1).max(512),
  scopes: z.array(z.string().min(1)).default([]),
  clientAuthMethod: z.enum(['client_secret_post', 'client_secret_basic']).optional(),
  authorizeParams: z.record(z.string(), z.string()).optional(),
});

/** Parses `CONNECTION_PROVIDERS`; a malformed value is a deployment bug and throws (a 500). */
export function parseProviders(json: string): ProviderConfig[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('CONNECTION_PROVIDERS is not valid JSON');
  }
  const providers = z.array(providerConfigSchema).parse(value);
  const names = new Set<string>();
  for (const provider of providers) {
    if (names.has(provider.name)) throw new Error(`CONNECTION_PROVIDERS names ${provider.name} twice`);
    names.add(provider.name);
  }
  return providers;
}

export interface ProviderRegistry {
  /** The provider's settings, or undefined when this stage does not offer it. */
  get(name: string): Promise<ProviderConfig | undefined>;
  clientSecret(name: string): Promise<string>;
}

export const LOCAL_PROVIDER_SK = 'PROVIDER';
export const localProviderKey = (name: string) => ({ pk: `PROVIDER#${name}`, sk: LOCAL_PROVIDER_SK });

interface LocalProviderItem {
  config: ProviderConfig;
  clientSecret: string;
}

/**
 * Registers (or replaces) a provider on the local cloud, with its client secret. For operators and
 * tests only: the functions read these items when `CONNECTIONS_BACKEND=local`.
 */
export async function registerLocalProvider(
  tableName: string,
  config: ProviderConfig,
  clientSecret: string,
  ddb = dynamoDbDocumentClient(),
): Promise<void> {
  const parsed = providerConfigSchema.parse(config);
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...localProviderKey(parsed.name), config: parsed, clientSecret },
    }),
  );
}

export const clientSecretName = (stage: string, provider: string) =>
  `switchyard/${stage}/connections/${provider}`;

const SECRET_CACHE_MS = 5 * 60 * 1000;

let secretsManager: SecretsManagerClient | undefined;
/** One client per process; endpoint and credentials from the environment. */
export function secretsManagerClient(): SecretsManagerClient {
  secretsManager ??= new (secretsManagerSdk().SecretsManagerClient)({ retryMode: 'standard' });
  return secretsManager;
}

export function createProviderRegistry(
  config: Pick<ConnectionsConfig, 'TABLE_NAME' | 'STAGE' | 'CONNECTIONS_BACKEND' | 'CONNECTION_PROVIDERS'>,
): ProviderRegistry {
  const fromEnv = new Map(parseProviders(config.CONNECTION_PROVIDERS).map((p) => [p.name, p]));
  const secrets = new Map<string, { value: string; until: number }>();

  const localItem = async (name: string): Promise<LocalProviderItem | undefined> => {
    if (config.CONNECTIONS_BACKEND !== 'local') return undefined;
    const { Item } = await dynamoDbDocumentClient().send(
      new GetCommand({ TableName: config.TABLE_NAME, Key: localProviderKey(name) }),
    );
    if (!Item) return undefined;
    return { config: providerConfigSchema.parse(Item.config), clientSecret: String(Item.clientSecret) };
  };

  return {
    async get(name) {
      if (!providerNameSchema.safeParse(name).success) return undefined;
      return (await localItem(name))?.config ?? fromEnv.get(name);
    },
    async clientSecret(name) {
      if (config.CONNECTIONS_BACKEND === 'local') {
        const item = await localItem(name);
        if (!item) throw new Error(`no local client secret registered for provider ${name}`);
        return item.clientSecret;
      }
      const cached = secrets.get(name);
      if (cached && cached.until > Date.now()) return cached.value;
      const { SecretString } = await secretsManagerClient().send(
        new (secretsManagerSdk().GetSecretValueCommand)({ SecretId: clientSecretName(config.STAGE, name) }),
      );
      if (!SecretString) throw new Error(`secret ${clientSecretName(config.STAGE, name)} is empty`);
      secrets.set(name, { value: SecretString, until: Date.now() + SECRET_CACHE_MS });
      return SecretString;
    },
  };
}

/**
 * The redirect URI for a provider: the same at start and at the callback (the token endpoint checks
 * that they match). From `CONNECTIONS_CALLBACK_BASE_URL` when set, else from the request's Host
 * (with its port, so the local gateway works) and `X-Forwarded-Proto` (http only for loopback hosts).
 */
export function callbackUrl(
  provider: string,
  headers: Record<string, string | undefined>,
  baseUrl?: string,
): string {
  const path = `/connections/${encodeURIComponent(provider)}/callback`;
  if (baseUrl) return `${baseUrl.replace(/\/$/, '')}${path}`;
  const host = headers.host;
  if (!host) throw new Error('request has no Host header and CONNECTIONS_CALLBACK_BASE_URL is unset');
  const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
  const forwarded = headers['x-forwarded-proto']?.split(',')[0]?.trim();
  const proto = forwarded === 'http' || forwarded === 'https' ? forwarded : loopback ? 'http' : 'https';
  return `${proto}://${host}${path}`;
}
