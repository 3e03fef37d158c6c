import { logger } from '@switchyard/runtime';
import type { PreTokenGenerationV2TriggerHandler } from 'aws-lambda';
import { userStore } from '../adapters/user-store';
import { tokenClaims } from '../app/token-claims';
import { config } from '../config';

/**
 * The user pool's pre-token-generation trigger (V2_0, Cognito stages): `custom:tenantId` in the id
 * and the access token, and the groups identity holds now, for every sign-in and refresh. Throwing
 * makes Cognito refuse the tokens (a suspended or removed person).
 */
export const handler: PreTokenGenerationV2TriggerHandler = async (event) => {
  const claims = await tokenClaims(userStore(config().TABLE_NAME), event.userName).catch((error: unknown) => {
    logger.info('tokens refused', { trigger: event.triggerSource, reason: (error as Error).name });
    throw error;
  });
  const tenant = { 'custom:tenantId': claims.tenantId };
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: tenant },
      accessTokenGeneration: { claimsToAddOrOverride: tenant },
      groupOverrideDetails: { groupsToOverride: claims.groups },
    },
  };
  return event;
};
