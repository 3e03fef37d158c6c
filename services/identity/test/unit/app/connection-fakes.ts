// In-memory stand-ins for the connection adapters, for unit tests of the use cases. The
// DynamoDB and Secrets Manager implementations are exercised by the integration suite.
import type { ConnectionStore, ReauthReason } from '../../../src/adapters/connection-store';
import type { ProviderRegistry } from '../../../src/adapters/providers';
import type { TokenVault } from '../../../src/adapters/token-vault';
import type { Connection, ProviderConfig, ProviderTokens } from '../../../src/domain/oauth';
import type { FakeProvider } from '../../support/fake-provider';

export class MemoryVault implements TokenVault {
  readonly items = new Map<string, ProviderTokens>();
  async get(userId: string, provider: string) {
    return this.items.get(`${userId}#${provider}`);
  }
  async put(userId: string, provider: string, tokens: ProviderTokens) {
    this.items.set(`${userId}#${provider}`, tokens);
  }
}

export class MemoryConnectionStore implements ConnectionStore {
  readonly items = new Map<string, Connection & { leaseUntil?: string }>();
  readonly reauthEvents: { userId: string; provider: string; reason: ReauthReason }[] = [];
  private key = (c: Pick<Connection, 'userId' | 'provider'>) => `${c.userId}#${c.provider}`;

  async get(userId: string, provider: string) {
    return this.items.get(`${userId}#${provider}`);
  }
  async listForUser(userId: string) {
    return [...this.items.values()].filter((c) => c.userId === userId);
  }
  async saveConnected(connection: Connection) {
    this.items.set(this.key(connection), { ...connection });
  }
  async dueBefore(before: Date) {
    return [...this.items.values()]
      .filter((c) => c.status === 'connected' && c.expiresAt && Date.parse(c.expiresAt) <= before.getTime())
      .sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''));
  }
  async acquireRefreshLease(connection: Connection, now: Date, leaseMs: number) {
    const current = this.items.get(this.key(connection));
    if (!current || current.status !== 'connected') return false;
    if (current.leaseUntil && Date.parse(current.leaseUntil) >= now.getTime()) return false;
    current.leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    return true;
  }
  async saveRefreshed(connection: Connection) {
    const current = this.items.get(this.key(connection));
    if (!current || current.status !== 'connected') return false;
    const { leaseUntil: _lease, ...rest } = current;
    this.items.set(this.key(connection), { ...rest, ...connection });
    return true;
  }
  async markNeedsReauth(connection: Connection, reason: ReauthReason, now: Date) {
    const current = this.items.get(this.key(connection));
    if (!current || current.status !== 'connected') return false;
    this.items.set(this.key(connection), {
      ...current,
      status: 'needs_reauth',
      updatedAt: now.toISOString(),
    });
    this.reauthEvents.push({ userId: connection.userId, provider: connection.provider, reason });
    return true;
  }
}

export function registryFor(provider: FakeProvider): ProviderRegistry & { config: ProviderConfig } {
  const config: ProviderConfig = {
    name: provider.name,
    authorizeUrl: provider.authorizeUrl,
    tokenUrl: provider.tokenUrl,
    clientId: provider.clientId,
    scopes: ['read'],
  };
  return {
    config,
    get: async (name) => (name === config.name ? config : undefined),
    clientSecret: async () => provider.clientSecret,
  };
}
