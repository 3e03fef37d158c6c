/**
 * Who the operator is: the IAM principal API Gateway verified (`authorizer: { type: aws_iam }`,
 * decision 16). A request without the gateway's IAM context is refused, so a misconfigured route can
 * never record an anonymous action.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { forbidden } from '@switchyard/runtime';

interface IamPrincipal {
  userArn?: string;
  accessKey?: string;
}

/** The signer's IAM ARN (its access key id when there is none), at most 256 characters. */
export function operatorActor(event: APIGatewayProxyEventV2): string {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { iam?: IamPrincipal };
  };
  const iam = context.authorizer?.iam;
  if (!iam || (!iam.userArn && !iam.accessKey)) {
    throw forbidden('This operation needs an operator (IAM-signed) request.');
  }
  const actor = iam.userArn ?? `accessKey:${iam.accessKey}`;
  return actor.length <= 256 ? actor : `…${actor.slice(-255)}`;
}
