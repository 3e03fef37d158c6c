/**
 * `switchyard users ...`: a tenant's people through identity's operator routes (IAM-signed), so an
 * operator needs AWS credentials, not a tenant's admin key.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../api';
import { allPages, formatTable, targetOptions } from '../api';

/** A person as identity shows them. */
export interface UserSummary {
  userId: string;
  tenantId: string;
  email: string;
  displayName?: string | null;
  groups: string[];
  role?: string;
  status: string;
  emailVerified?: boolean;
  invitedBy?: string | null;
  createdAt?: string;
  updatedAt?: string | null;
}

export function registerUsers(program: Command, context: CommandContext): void {
  const users = program
    .command('users')
    .description("Manage a tenant's people (operator routes, IAM-signed).");

  targetOptions(
    users
      .command('invite')
      .description('Invite a person to a tenant; they get an e-mail saying how to sign in.')
      .requiredOption('--tenant <tenantId>', 'the tenant they join')
      .requiredOption('--email <email>', 'their e-mail address (they sign in with codes sent to it)')
      .option('--admin', 'make them an admin of the tenant (group Admins)'),
  ).action(
    async (options: {
      tenant: string;
      email: string;
      admin?: boolean;
      json?: boolean;
      stage?: string;
      region?: string;
    }) => {
      const api = await context.api(options);
      const { user } = await api.request<{ user: UserSummary }>(
        'POST',
        `/operator/tenants/${encodeURIComponent(options.tenant)}/users`,
        { body: { email: options.email, ...(options.admin ? { groups: ['Admins'] } : {}) } },
      );
      if (options.json) {
        context.out(`${JSON.stringify(user, null, 2)}\n`);
        return;
      }
      context.out(
        [
          'Invitation sent.',
          `  User id      ${user.userId}`,
          `  Tenant       ${user.tenantId}`,
          `  E-mail       ${user.email}`,
          `  Groups       ${user.groups.join(', ') || '(none)'}`,
          '',
        ].join('\n'),
      );
    },
  );

  targetOptions(
    users
      .command('list')
      .description("List a tenant's people.")
      .requiredOption('--tenant <tenantId>', 'the tenant whose people to list'),
  ).action(async (options: { tenant: string; json?: boolean; stage?: string; region?: string }) => {
    const api = await context.api(options);
    const items = await allPages<UserSummary>(
      api,
      `/operator/tenants/${encodeURIComponent(options.tenant)}/users`,
    );
    if (options.json) {
      context.out(`${JSON.stringify(items, null, 2)}\n`);
      return;
    }
    if (items.length === 0) {
      context.out(`Tenant ${options.tenant} has no users.\n`);
      return;
    }
    context.out(
      formatTable(
        ['USER ID', 'E-MAIL', 'NAME', 'GROUPS', 'STATUS', 'CREATED'],
        items.map((user) => [
          user.userId,
          user.email,
          user.displayName ?? '-',
          user.groups.join(',') || '-',
          user.status,
          user.createdAt ?? '-',
        ]),
      ),
    );
  });

  targetOptions(
    users
      .command('remove')
      .description('Remove a person for good: their sessions end and their API keys are revoked.')
      .argument('<userId>', 'the user id (usr_…, from users list)'),
  ).action(async (userId: string, options: { json?: boolean; stage?: string; region?: string }) => {
    const api = await context.api(options);
    await api.request('DELETE', `/operator/users/${encodeURIComponent(userId)}`);
    if (options.json) context.out(`${JSON.stringify({ removed: userId })}\n`);
    else context.out(`Removed user ${userId}.\n`);
  });
}
