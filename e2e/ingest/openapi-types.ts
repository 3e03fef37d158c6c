// Generated from the ingest OpenAPI document by services/ingest/scripts/openapi-types.ts.
// Do not edit; regenerate with: node scripts/run-ts.mjs services/ingest/scripts/openapi-types.ts
export interface paths {
  '/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Publish one event
     * @description Native JSON, CloudEvents 1.0 structured mode (`application/cloudevents+json`), or CloudEvents binary mode (`ce-specversion`, `ce-id`, `ce-source`, `ce-type` headers; the body is the data). Payloads up to 256 KB; larger requests get 413 before the body is parsed. JSON nested deeper than 64 levels, and U+FFFE, U+FFFF or unpaired surrogates anywhere in the body, are a 400 (no queue on the way carries them). The same idempotency key for other content is a 422 `idempotency_key_reused`. Roles creator and admin.
     */
    post: operations['publishEvent'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/events/batch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Publish up to 100 events (1 MB) with a result per item */
    post: operations['publishBatch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/inbox': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Undelivered events, oldest first
     * @description Cursor pagination (`next_cursor`, `has_more`). With `lease_seconds`, the returned events are hidden from other listings for that long unless acknowledged or released. A malformed or tampered cursor is 400 `invalid_cursor`.
     */
    get: operations['listInbox'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/events/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One of the caller's tenant's events */
    get: operations['getEvent'];
    put?: never;
    post?: never;
    /** Acknowledge (idempotent): the event leaves the inbox */
    delete: operations['acknowledgeEvent'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/events/{id}/release': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Give a lease back: the event is visible again at once
     * @description Needs the lease token. 204 also when the lease already ended; 409 when another lease holds the event or it was acknowledged.
     */
    post: operations['releaseLease'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Health, version, uptime and dependencies (no authentication) */
    get: operations['getStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This document (no authentication) */
    get: operations['getOpenApiDocument'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description Every error answer of every Switchyard API. */
    ErrorResponse: {
      error: {
        /** @description Stable machine-readable code, e.g. `validation_failed`, `invalid_cursor`. */
        code: string;
        /** @description Human-readable; never echoes submitted values. */
        message: string;
        details?:
          | components['schemas']['FieldError'][]
          | {
              [key: string]: unknown;
            };
        /** @description Also in the `X-Request-ID` response header; quote it in support requests. */
        correlationId: string;
      };
    };
    /** @description One field-level problem: where (e.g. `payload`, `query.limit`) and what. */
    FieldError: {
      path: string;
      message: string;
    };
    PublishEventRequest: {
      /** @description The producer's own type name, e.g. order.placed. */
      event_type: string;
      /** @description The event body: a JSON object. */
      payload: {
        [key: string]: unknown;
      };
      /** @description Origin of the event; defaults to "api". */
      source?: string;
      /** @description Repeats with the same key within 24 hours return the original event. */
      idempotency_key?: string;
    };
    /** @description A CloudEvents 1.0 event in structured mode. `type` becomes event_type, `data` the payload, the other context attributes and extensions are kept in `attributes`. */
    CloudEvent: {
      /** @constant */
      specversion: '1.0';
      id: string;
      source: string;
      type: string;
      datacontenttype?: string;
      dataschema?: string;
      subject?: string;
      /** Format: date-time */
      time?: string;
      data?: unknown;
      data_base64?: string;
    } & {
      [key: string]: string | number | boolean;
    };
    PublishBatchRequest: {
      events: components['schemas']['PublishEventRequest'][];
    };
    CloudEventBatchRequest: ({
      /** @constant */
      specversion: '1.0';
      id: string;
      source: string;
      type: string;
      datacontenttype?: string;
      dataschema?: string;
      subject?: string;
      /** Format: date-time */
      time?: string;
      data?: unknown;
      data_base64?: string;
    } & {
      [key: string]: string | number | boolean;
    })[];
    AcceptedEvent: {
      /** @constant */
      status: 'accepted';
      event_id: string;
      /** Format: date-time */
      received_at: string;
      event_type: string;
      source: string;
      /** @description True when the idempotency key was seen within 24 hours: the original event. */
      duplicate: boolean;
    };
    BatchItemResult:
      | {
          index: number;
          /** @enum {string} */
          status: 'accepted' | 'duplicate';
          event_id: string;
          /** Format: date-time */
          received_at: string;
          event_type: string;
          source: string;
          duplicate: boolean;
        }
      | {
          index: number;
          /** @constant */
          status: 'rejected';
          error: {
            code: string;
            message: string;
            details: components['schemas']['FieldError'][];
          };
        };
    BatchResponse: {
      results: components['schemas']['BatchItemResult'][];
      accepted: number;
      duplicates: number;
      rejected: number;
    };
    EventView: {
      event_id: string;
      event_type: string;
      source: string;
      /** Format: date-time */
      received_at: string;
      payload: {
        [key: string]: unknown;
      };
      /** @description CloudEvents context attributes and extensions, when the event came as a CloudEvent. */
      attributes?: {
        [key: string]: string | number | boolean;
      };
      /** @description True once acknowledged (DELETE /events/{id}). */
      delivered: boolean;
      /** @description Present while the event is leased. */
      lease?: {
        /** @description Only in the GET /inbox answer that took the lease: give it to POST /events/{id}/release to make the event visible again. */
        token?: string;
        /** Format: date-time */
        expires_at: string;
      };
    };
    InboxPage: {
      /** @description Undelivered, unleased events, oldest first. */
      events: components['schemas']['EventView'][];
      /** @description Pass as `cursor` for the next page; null at the end. */
      next_cursor: string | null;
      has_more: boolean;
    };
    ReleaseLeaseRequest: {
      /** @description The `lease.token` GET /inbox returned with the event. */
      lease_token: string;
    };
    StatusResponse: {
      /** @enum {string} */
      status: 'ok' | 'degraded';
      version: string;
      uptimeSeconds: number;
      dependencies: {
        /** @enum {string} */
        dynamodb: 'ok' | 'error';
        /** @enum {string} */
        bus?: 'ok' | 'error';
      };
    };
  };
  responses: {
    /** @description Invalid request: `validation_failed` (field details), `invalid_json`, `bad_request` or `invalid_cursor`. */
    Error400: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description Missing, malformed, unknown, revoked or expired API key. */
    Error401: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description The tenant has no active subscription. */
    Error402: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description The key's role may not do this. */
    Error403: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description No such event for this tenant (another tenant's event is indistinguishable from none). */
    Error404: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description Conflict with the current state (e.g. `lease_mismatch`). */
    Error409: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description Body too large (decided before parsing). */
    Error413: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description Unsupported Content-Type. */
    Error415: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description `idempotency_key_reused`: the idempotency key was used for an event with other content. */
    Error422: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description Rate limit (`rate_limited`) or monthly quota (`quota_exhausted`) exceeded. */
    Error429: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        'Retry-After': components['headers']['Retry-After'];
        'RateLimit-Limit': components['headers']['RateLimit-Limit'];
        'RateLimit-Remaining': components['headers']['RateLimit-Remaining'];
        'RateLimit-Reset': components['headers']['RateLimit-Reset'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description A bug: `internal_error` with a correlation id. */
    Error500: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
    /** @description A dependency does not answer. */
    Error503: {
      headers: {
        'X-Request-ID': components['headers']['X-Request-ID'];
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorResponse'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: {
    /** @description Correlation id of the request (yours when you sent a valid one), also in error bodies. */
    'X-Request-ID': string;
    /** @description Seconds to wait before retrying. */
    'Retry-After': number;
    /** @description Requests allowed in the current window. */
    'RateLimit-Limit': number;
    /** @description Requests left in the current window. */
    'RateLimit-Remaining': number;
    /** @description Seconds until the window resets. */
    'RateLimit-Reset': number;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  publishEvent: {
    parameters: {
      query?: never;
      header?: {
        /** @description Alternative to `idempotency_key` (at most 255 characters); same key within 24 h → the original event. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PublishEventRequest'];
        'application/cloudevents+json': components['schemas']['CloudEvent'];
      };
    };
    responses: {
      /** @description Accepted (or a duplicate of an earlier event). */
      202: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          'RateLimit-Limit': components['headers']['RateLimit-Limit'];
          'RateLimit-Remaining': components['headers']['RateLimit-Remaining'];
          'RateLimit-Reset': components['headers']['RateLimit-Reset'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AcceptedEvent'];
        };
      };
      400: components['responses']['Error400'];
      401: components['responses']['Error401'];
      402: components['responses']['Error402'];
      403: components['responses']['Error403'];
      413: components['responses']['Error413'];
      415: components['responses']['Error415'];
      422: components['responses']['Error422'];
      429: components['responses']['Error429'];
      500: components['responses']['Error500'];
    };
  };
  publishBatch: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PublishBatchRequest'];
        'application/cloudevents-batch+json': components['schemas']['CloudEventBatchRequest'];
      };
    };
    responses: {
      /** @description Every item accepted or a duplicate. */
      202: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          'RateLimit-Limit': components['headers']['RateLimit-Limit'];
          'RateLimit-Remaining': components['headers']['RateLimit-Remaining'];
          'RateLimit-Reset': components['headers']['RateLimit-Reset'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchResponse'];
        };
      };
      /** @description Some items rejected (see each result). */
      207: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          'RateLimit-Limit': components['headers']['RateLimit-Limit'];
          'RateLimit-Remaining': components['headers']['RateLimit-Remaining'];
          'RateLimit-Reset': components['headers']['RateLimit-Reset'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchResponse'];
        };
      };
      400: components['responses']['Error400'];
      401: components['responses']['Error401'];
      402: components['responses']['Error402'];
      403: components['responses']['Error403'];
      413: components['responses']['Error413'];
      415: components['responses']['Error415'];
      429: components['responses']['Error429'];
      500: components['responses']['Error500'];
    };
  };
  listInbox: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
        lease_seconds?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of the inbox. */
      200: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InboxPage'];
        };
      };
      400: components['responses']['Error400'];
      401: components['responses']['Error401'];
      403: components['responses']['Error403'];
      500: components['responses']['Error500'];
    };
  };
  getEvent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The `event_id` returned when the event was accepted. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The event. */
      200: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EventView'];
        };
      };
      400: components['responses']['Error400'];
      401: components['responses']['Error401'];
      403: components['responses']['Error403'];
      404: components['responses']['Error404'];
      500: components['responses']['Error500'];
    };
  };
  acknowledgeEvent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The `event_id` returned when the event was accepted. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Acknowledged (now or before). */
      204: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['Error400'];
      401: components['responses']['Error401'];
      403: components['responses']['Error403'];
      404: components['responses']['Error404'];
      500: components['responses']['Error500'];
    };
  };
  releaseLease: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The `event_id` returned when the event was accepted. */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ReleaseLeaseRequest'];
      };
    };
    responses: {
      /** @description Released (or no longer leased). */
      204: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['Error400'];
      401: components['responses']['Error401'];
      403: components['responses']['Error403'];
      404: components['responses']['Error404'];
      409: components['responses']['Error409'];
      415: components['responses']['Error415'];
      500: components['responses']['Error500'];
    };
  };
  getStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every dependency answers. */
      200: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['StatusResponse'];
        };
      };
      /** @description A dependency does not answer (same body, status `degraded`). */
      503: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['StatusResponse'];
        };
      };
    };
  };
  getOpenApiDocument: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OpenAPI 3.1. */
      200: {
        headers: {
          'X-Request-ID': components['headers']['X-Request-ID'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
    };
  };
}
