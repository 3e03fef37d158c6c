/**
 * `switchyard keys ...`: API keys of any tenant, through identity's operator routes (IAM-signed), so
 * an operator needs AWS credentials, not a tenant's admin key.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CommandContext } from '../api';
import { allPages, formatTable, targetOptions } from '../api';

export const ROLES = ['viewer', 'creator', 'admin'] as const;

/** An API key as identity lists it (never the secret). */
export interface ApiKeySummary {
  keyId: string;
  tenantId?: string;
  role: string;
  status: string;
  display?: string;
  name?: string;
  ownerEmail?: string;
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface CreatedKey extends ApiKeySummary {
  /** The plaintext key: in the create response only. */
  key: string;
}

export const KEY_SHOWN_ONCE =
  'Store this key now: it is shown only this once (identity keeps only a hash of its secret).';

/** Prints a freshly created key: its facts, the plaintext once, and the warning. */
export function printCreatedKey(out: (text: string) => void, key: CreatedKey, title: string): void {
  const rows: [string, string][] = [
    ['Key id', key.keyId],
    ['Tenant', key.tenantId ?? ''],
    ['Role', key.role],
    ['Status', key.status ?? 'active'],
  ];
  if (key.ownerEmail) rows.push(['Owner', key.ownerEmail]);
  if (key.name) rows.push(['Description', key.name]);
  if (key.expiresAt) rows.push(['Expires', key.expiresAt]);
  out(`${title}\n`);
  for (const [label, value] of rows) out(`  ${label.padEnd(12)} ${value}\n`);
  out(`\n  API key      ${key.key}\n\n  ${KEY_SHOWN_ONCE}\n`);
}

export function registerKeys(program: Command, context: CommandContext): void {
  const keys = program
    .command('keys')
    .description("Manage a tenant's API keys (operator routes, IAM-signed).");

  targetOptions(
    keys
      .command('create')
      .description('Create an API key for a tenant; its secret is printed once.')
      .requiredOption('--tenant <tenantId>', 'the tenant the key belongs to')
      .addOption(new Option('--role <role>', 'what the key may do').choices(ROLES).makeOptionMandatory())
      .option('--email <email>', 'the e-mail of the key owner (revoke-by-email revokes by it)')
      .option('--description <text>', 'a note shown in key listings'),
  ).action(
    async (options: {
      tenant: string;
      role: string;
      email?: string;
      description?: string;
      json?: boolean;
      stage?: string;
      region?: string;
    }) => {
      const api = await context.api(options);
      const response = await api.request<{ apiKey?: CreatedKey } & Partial<CreatedKey>>(
        'POST',
        `/operator/tenants/${encodeURIComponent(options.tenant)}/keys`,
        {
          body: {
            role: options.role,
            ...(options.email ? { ownerEmail: options.email } : {}),
            ...(options.description ? { description: options.description } : {}),
          },
        },
      );
      const key = (response.apiKey ?? response) as CreatedKey;
      if (options.json) context.out(`${JSON.stringify(key, null, 2)}\n`);
      else printCreatedKey(context.out, { tenantId: options.tenant, ...key }, 'API key created.');
    },
  );

  targetOptions(
    keys
      .command('list')
      .description("List a tenant's API keys (never their secrets).")
      .requiredOption('--tenant <tenantId>', 'the tenant whose keys to list'),
  ).action(async (options: { tenant: string; json?: boolean; stage?: string; region?: string }) => {
    const api = await context.api(options);
    const items = await allPages<ApiKeySummary>(
      api,
      `/operator/tenants/${encodeURIComponent(options.tenant)}/keys`,
    );
    if (options.json) {
      context.out(`${JSON.stringify(items, null, 2)}\n`);
      return;
    }
    if (items.length === 0) {
      context.out(`Tenant ${options.tenant} has no API keys.\n`);
      return;
    }
    context.out(
      formatTable(
        ['KEY ID', 'ROLE', 'STATUS', 'OWNER', 'DESCRIPTION', 'CREATED', 'LAST USED'],
        items.map((key) => [
          key.keyId,
          key.role,
          key.status,
          key.ownerEmail ?? '-',
          key.name ?? '-',
          key.createdAt ?? '-',
          key.lastUsedAt ?? 'never',
        ]),
      ),
    );
  });

  targetOptions(
    keys
      .command('revoke')
      .description('Revoke an API key for good (repeating it is harmless).')
      .argument('<keyId>', 'the key id (the part after sy_live_ in the key, or from keys list)'),
  ).action(async (keyId: string, options: { json?: boolean; stage?: string; region?: string }) => {
    const api = await context.api(options);
    await api.request('DELETE', `/operator/keys/${encodeURIComponent(keyId)}`);
    if (options.json) context.out(`${JSON.stringify({ revoked: [keyId] })}\n`);
    else context.out(`Revoked API key ${keyId}.\n`);
  });

  targetOptions(
    keys
      .command('revoke-by-email')
      .description('Revoke every API key owned by an e-mail address (in every tenant, or one with --tenant).')
      .argument('<email>', "the owner's e-mail address")
      .option('--tenant <tenantId>', 'only keys of this tenant'),
  ).action(
    async (email: string, options: { tenant?: string; json?: boolean; stage?: string; region?: string }) => {
      const api = await context.api(options);
      const result = await api.request<{ revoked?: (string | { keyId: string })[] }>(
        'POST',
        '/operator/keys/revoke-by-email',
        { body: { email, ...(options.tenant ? { tenantId: options.tenant } : {}) } },
      );
      const revoked = (result.revoked ?? []).map((entry) =>
        typeof entry === 'string' ? entry : entry.keyId,
      );
      if (options.json) context.out(`${JSON.stringify({ revoked }, null, 2)}\n`);
      else if (revoked.length === 0) context.out(`No active API keys owned by ${email}.\n`);
      else context.out(`Revoked ${revoked.length} API key(s) owned by ${email}: ${revoked.join(', ')}\n`);
    },
  );
}
