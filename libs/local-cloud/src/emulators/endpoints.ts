import type { Endpoints } from '../types';

type Running = { endpoint: string };

/** Which emulator answers for which AWS service: fauxqs serves SQS, SNS and S3 on one endpoint. */
export function emulatorEndpoints(parts: {
  dynamodb: Running;
  fauxqs: Running;
  ses: Running;
  events: Running;
  lambda?: Running;
}): Endpoints {
  return {
    dynamodb: parts.dynamodb.endpoint,
    sqs: parts.fauxqs.endpoint,
    sns: parts.fauxqs.endpoint,
    s3: parts.fauxqs.endpoint,
    ses: parts.ses.endpoint,
    events: parts.events.endpoint,
    ...(parts.lambda ? { lambda: parts.lambda.endpoint } : {}),
  };
}
