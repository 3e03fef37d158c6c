/** `switchyard tenants ...`: tenants through identity's operator routes (IAM-signed). */
import type { Command } from 'commander';
import type { CommandContext } from '../api';
import { targetOptions } from '../api';
import { printCreatedKey } from './keys';
import type { CreatedKey } from './keys';

export interface CreatedTenant {
  tenant: { tenantId: string; name: string; status?: string; createdAt?: string };
  adminUser: { userId: string; email: string; role?: string };
  apiKey: CreatedKey;
}

export function registerTenants(program: Command, context: CommandContext): void {
  const tenants = program.command('tenants').description('Manage tenants (operator routes, IAM-signed).');

  targetOptions(
    tenants
      .command('create')
      .description('Create a tenant with its first admin user and admin API key (printed once).')
      .requiredOption('--name <name>', "the tenant's name")
      .requiredOption('--admin-email <email>', 'the e-mail of its first admin user'),
  ).action(
    async (options: {
      name: string;
      adminEmail: string;
      json?: boolean;
      stage?: string;
      region?: string;
    }) => {
      const api = await context.api(options);
      const created = await api.request<CreatedTenant>('POST', '/operator/tenants', {
        body: { name: options.name, adminEmail: options.adminEmail },
      });
      if (options.json) {
        context.out(`${JSON.stringify(created, null, 2)}\n`);
        return;
      }
      context.out(
        [
          `Tenant created.`,
          `  Tenant id    ${created.tenant.tenantId}`,
          `  Name         ${created.tenant.name}`,
          `  Admin user   ${created.adminUser.userId} (${created.adminUser.email})`,
          '',
        ].join('\n'),
      );
      printCreatedKey(
        context.out,
        { tenantId: created.tenant.tenantId, ...created.apiKey },
        'Admin API key created.',
      );
    },
  );
}
