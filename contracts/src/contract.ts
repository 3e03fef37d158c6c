import { z } from 'zod';

/**
 * The header every Switchyard message carries, on the bus and on queues. `version` is the major
 * version of the message's schema: additive changes keep it, a breaking change bumps it (or becomes a
 * new detail-type). See docs/conventions.md.
 */
export const messageHeaderSchema = z.object({
  version: z.number().int().positive(),
  id: z.string().min(1).max(128),
  time: z.iso.datetime({ offset: true }),
  tenantId: z.string().min(1).max(128),
  correlationId: z.string().min(1).max(128),
});
export type MessageHeader = z.infer<typeof messageHeaderSchema>;

export const SERVICES = [
  'ingest',
  'delivery',
  'billing',
  'identity',
  'notifications',
  'activity',
  'agent',
  'ops',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Where a message travels: over the EventBridge bus, or as the body of one SQS queue's messages. */
export type Channel = 'bus' | 'queue';

export interface Contract<
  Source extends string = string,
  DetailType extends string = string,
  Body extends z.ZodRawShape = z.ZodRawShape,
> {
  /** `switchyard.<service>`: the EventBridge `source`. */
  readonly source: Source;
  /** PascalCase `ResourceCreated` / `ResourceUpdated` / `ResourceDeleted` / `OperationFailed`. */
  readonly detailType: DetailType;
  readonly version: number;
  readonly channel: Channel;
  readonly service: ServiceName;
  readonly description: string;
  /** The body fields, without the header. */
  readonly body: z.ZodObject<Body>;
  /** Header plus body: what travels as the EventBridge `detail` or the SQS message body. */
  readonly schema: z.ZodObject<typeof messageHeaderSchema.shape & Body & { version: z.ZodLiteral<number> }>;
}

export type MessageOf<C extends Contract> = z.infer<C['schema']>;
export type BodyOf<C extends Contract> = z.infer<C['body']>;

export interface ContractDefinition<Service extends ServiceName, DetailType extends string, Body extends z.ZodRawShape> {
  service: Service;
  detailType: DetailType;
  version: number;
  channel?: Channel;
  description: string;
  body: Body;
}

const DETAIL_TYPE = /^[A-Z][A-Za-z0-9]+$/;

/** Declares one message. The header fields are reserved; a body may not redefine them. */
export function defineContract<Service extends ServiceName, DetailType extends string, Body extends z.ZodRawShape>(
  def: ContractDefinition<Service, DetailType, Body>,
): Contract<`switchyard.${Service}`, DetailType, Body> {
  if (!DETAIL_TYPE.test(def.detailType)) {
    throw new Error(`detail-type "${def.detailType}" must be PascalCase (ResourceCreated, OperationFailed)`);
  }
  for (const key of Object.keys(def.body)) {
    if (key in messageHeaderSchema.shape) {
      throw new Error(`${def.detailType}: body field "${key}" is a header field`);
    }
  }
  const body = z.object(def.body);
  const schema = messageHeaderSchema.extend({ version: z.literal(def.version) }).extend(def.body);
  return {
    source: `switchyard.${def.service}`,
    detailType: def.detailType,
    version: def.version,
    channel: def.channel ?? 'bus',
    service: def.service,
    description: def.description,
    body,
    schema: schema as unknown as Contract<`switchyard.${Service}`, DetailType, Body>['schema'],
  };
}
