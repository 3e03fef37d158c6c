import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';
import type { EndpointPolicy } from './domain/address-safety';
import { endpointPolicy } from './domain/address-safety';

/**
 * What delivery's API functions read from their environment (provider.environment in
 * serverless.yml). Read once per container at first use, so a bad deploy fails loudly naming what
 * is missing. The engine's settings are in ./config.ts.
 */
export const apiConfig = defineConfig(
  z.object({
    /** The one delivery table (layout in src/adapters/delivery-table.ts). */
    DELIVERY_TABLE: z.string().min(1),
    /** Production stages require https endpoint URLs. */
    STAGE: z.string().min(1),
    /** Issuer of people's JWTs (identity exports it; Cognito on AWS, identity's issuer locally). */
    PEOPLE_ISSUER_URL: z.url(),
    /** Audience of people's JWTs (the id token's `aud`, the access token's `client_id`). */
    PEOPLE_CLIENT_ID: z.string().min(1),
    /** Non-public networks (CIDR, comma-separated) endpoints may point at; see domain/address-safety.ts. */
    ALLOWED_ENDPOINT_NETWORKS: z.string().default(''),
  }),
);

export type ApiConfig = ReturnType<typeof apiConfig>;

let policy: EndpointPolicy | undefined;

/** The stage's endpoint rules (https in production stages, which private networks are allowed). */
export function apiEndpointPolicy(): EndpointPolicy {
  policy ??= endpointPolicy(apiConfig().STAGE, apiConfig().ALLOWED_ENDPOINT_NETWORKS);
  return policy;
}
