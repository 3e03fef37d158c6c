/* eslint-disable @typescript-eslint/no-require-imports -- SDK modules few identity calls use load on first use */
import type * as Cognito from '@aws-sdk/client-cognito-identity-provider';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';

/**
 * The Cognito and Secrets Manager modules, loaded when a function first calls them rather than when
 * it loads: every identity function builds the same adapters, few call these services (only in
 * Cognito sign-in mode, and for OAuth connections), and loading them costs a cold start 20-60 ms of
 * CPU. Commands and exception classes come from here too (`cognitoSdk().InitiateAuthCommand`).
 */
export const cognitoSdk = (): typeof Cognito =>
  require('@aws-sdk/client-cognito-identity-provider') as typeof Cognito;
export const secretsManagerSdk = (): typeof SecretsManager =>
  require('@aws-sdk/client-secrets-manager') as typeof SecretsManager;
