// The shared runtime every Switchyard function is built from. See README.md.
export * from './aws-clients';
export * from './config';
export * from './consumers';
export * from './consumer-failures';
export * from './correlation';
export * from './errors';
export * from './http-handler';
export * from './idempotency';
export * from './logger';
export * from './middleware';
export * from './pagination';
export * from './payload';
export * from './publish';
export * from './stream-batch';
export * from './outbox';
export * from './openapi';
