import { z } from 'zod';

/**
 * The header every Switchyard message carries, on the bus and on queues. `version` is the major
 * version of the message's schema: additive changes keep it, a breaking change bumps it (or becomes a
 * new detail-type). See docs/conventions.md.
 */
export const messageHeaderSchema = z.object({
  version: z.number().int().positive().describe('Major version of this message schema.'),
  id: z
    .string()
    .min(1)
    .max(128)
    .describe('Unique id of this message; consumers use it to make a redelivery a no-op.'),
  time: z.iso.datetime({ offset: true }).describe('When the producer created the message (ISO 8601).'),
  tenantId: z
    .string()
    .min(1)
    .max(128)
    .describe('Tenant the message belongs to; `_platform` for operator actions that span tenants.'),
  correlationId: z
    .string()
    .min(1)
    .max(128)
    .describe('Carried from the request that caused this message, for tracing across services.'),
});
export type MessageHeader = z.infer<typeof messageHeaderSchema>;

/** Tenant id used by messages about the platform itself (operator tooling), which no tenant owns. */
export const PLATFORM_TENANT_ID = '_platform';

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
  /** Body fields of which exactly one must be present (e.g. inline payload or S3 reference). */
  readonly exactlyOneOf?: readonly string[];
  /** The body fields, without the header. */
  readonly body: z.ZodObject<Body>;
  /** Header plus body: what travels as the EventBridge `detail` or the SQS message body. */
  readonly schema: z.ZodObject<MessageShape<Body>>;
}

/**
 * Header plus body fields. `version` is replaced, not intersected: `ZodNumber & ZodLiteral` would
 * infer as `undefined` and make every message type `never`.
 */
export type MessageShape<Body extends z.ZodRawShape> = Omit<typeof messageHeaderSchema.shape, 'version'> & {
  version: z.ZodLiteral<number>;
} & Body;

// The header intersection changes nothing for a concrete contract but lets generic code (`publish<C>`)
// read header fields, which TypeScript cannot see through `z.infer` of an unresolved type.
export type MessageOf<C extends Contract> = z.infer<C['schema']> & MessageHeader;
export type BodyOf<C extends Contract> = z.infer<C['body']>;

export interface ContractDefinition<
  Service extends ServiceName,
  DetailType extends string,
  Body extends z.ZodRawShape,
> {
  service: Service;
  detailType: DetailType;
  version: number;
  channel?: Channel;
  description: string;
  body: Body;
  /** Optional body fields of which exactly one must be present; checked by `schema` and `body`. */
  exactlyOneOf?: readonly (keyof Body & string)[];
}

const DETAIL_TYPE = /^[A-Z][A-Za-z0-9]+$/;

/**
 * Adds the "exactly one of" rule to an object schema twice over: as a zod refinement (what producers
 * and consumers run) and as a JSON Schema `oneOf` (what the generated documents show), since
 * `z.toJSONSchema` cannot express a refinement by itself.
 */
function withExactlyOne<S extends z.ZodObject>(schema: S, fields: readonly string[] | undefined): S {
  if (!fields || fields.length === 0) return schema;
  const refined = schema.superRefine((value, ctx) => {
    const present = fields.filter((f) => (value as Record<string, unknown>)[f] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `exactly one of ${fields.join(', ')} must be present (found ${present.length})`,
        path: present.length > 1 ? [present[1] as string] : [],
      });
    }
  });
  return refined.meta({ oneOf: fields.map((f) => ({ required: [f] })) }) as S;
}

/** Declares one message. The header fields are reserved; a body may not redefine them. */
export function defineContract<
  Service extends ServiceName,
  DetailType extends string,
  Body extends z.ZodRawShape,
>(def: ContractDefinition<Service, DetailType, Body>): Contract<`switchyard.${Service}`, DetailType, Body> {
  if (!DETAIL_TYPE.test(def.detailType)) {
    throw new Error(`detail-type "${def.detailType}" must be PascalCase (ResourceCreated, OperationFailed)`);
  }
  if (!Number.isInteger(def.version) || def.version < 1) {
    throw new Error(`${def.detailType}: version must be a positive integer`);
  }
  for (const key of Object.keys(def.body)) {
    if (key in messageHeaderSchema.shape) {
      throw new Error(`${def.detailType}: body field "${key}" is a header field`);
    }
  }
  for (const key of def.exactlyOneOf ?? []) {
    const field = def.body[key];
    if (!field || !z.safeParse(field, undefined).success) {
      throw new Error(`${def.detailType}: exactlyOneOf field "${key}" must be an optional body field`);
    }
  }
  const body = withExactlyOne(z.object(def.body), def.exactlyOneOf);
  const schema = withExactlyOne(
    messageHeaderSchema
      .extend({ version: z.literal(def.version).describe('Major version of this message schema.') })
      .extend(def.body),
    def.exactlyOneOf,
  );
  return {
    source: `switchyard.${def.service}`,
    detailType: def.detailType,
    version: def.version,
    channel: def.channel ?? 'bus',
    service: def.service,
    description: def.description,
    ...(def.exactlyOneOf ? { exactlyOneOf: def.exactlyOneOf } : {}),
    body,
    schema: schema as unknown as Contract<`switchyard.${Service}`, DetailType, Body>['schema'],
  };
}
