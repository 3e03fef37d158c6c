/**
 * Who may call billing's tenant routes: an `admin` API key of the tenant (verified against billing's
 * own projection of identity's key events, `KEY#<keyId>` in the billing table) or a person in the
 * tenant's `Admins` group (their JWT, from identity's issuer). One 401 for every authentication
 * failure; 403 for a valid caller who is no admin (@switchyard/access's tenant-admin check).
 */
import type { TenantAdmin } from '@switchyard/access';
import { tenantAdminAuthenticator } from '@switchyard/access';
import { apiConfig } from '../config';

export type { TenantAdmin };

export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';
export const NOT_AN_ADMIN = "Billing needs an admin API key or a member of the tenant's Admins group.";

const tenantAdmins = tenantAdminAuthenticator({
  tableName: () => apiConfig().BILLING_TABLE,
  issuer: () => ({ issuerUrl: apiConfig().PEOPLE_ISSUER_URL, clientId: apiConfig().PEOPLE_CLIENT_ID }),
  messages: { invalidCredentials: INVALID_CREDENTIALS, notAnAdmin: NOT_AN_ADMIN },
});

/** What every tenant route passes as `authenticate`. */
export const authenticateAdmin = tenantAdmins.authenticate;
