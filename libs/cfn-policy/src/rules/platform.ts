import { asArray, isRecord, isTrue } from '../intrinsics';
import type { Rule, Violation } from '../types';

/** The compose service that owns the shared infrastructure (services/platform). */
export const PLATFORM_SERVICE = 'platform';

/** Types only the platform's template may declare: every service attaches to the platform's. */
const SHARED_TYPES: Record<string, string> = {
  'AWS::ApiGatewayV2::Api':
    "creates its own HTTP API; attach the routes to the platform's (provider.httpApi.id: !ImportValue switchyard-<stage>-http-api-id)",
  'AWS::Events::EventBus':
    "creates an event bus; every service uses the platform's switchyard-<stage>-bus (name it, do not declare it)",
};

/**
 * Shared infrastructure lives in the platform's template only: one HTTP API (one base URL on AWS, as
 * locally) and one bus. And no API lets browsers send credentials to a wildcard origin.
 */
export const platformRules: Rule = (template, { service }) => {
  const violations: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const message = SHARED_TYPES[resource.Type];
    if (message && service !== PLATFORM_SERVICE) {
      violations.push({ rule: 'platform-shared-resources', resource: id, message });
    }
    if (resource.Type === 'AWS::ApiGatewayV2::Api') {
      const cors = resource.Properties?.CorsConfiguration;
      if (!isRecord(cors) || !isTrue(cors.AllowCredentials)) continue;
      const wildcards = asArray(cors.AllowOrigins).filter(
        (origin) => typeof origin === 'string' && origin.includes('*'),
      );
      if (wildcards.length > 0) {
        violations.push({
          rule: 'cors-credentials-wildcard',
          resource: id,
          message: `allows credentials from wildcard origins (${wildcards.join(', ')}); list the exact origins`,
        });
      }
    }
  }
  return violations;
};
