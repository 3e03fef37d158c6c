// Who is calling: API keys from a service's own projection of identity's key events, and people's
// JWTs. See README.md.
export * from './api-keys';
export * from './bearer-auth';
export * from './key-projection-consumer';
export * from './key-store';
export * from './key-verifier';
export * from './person-tokens';
export * from './tenant-admin';
export * from './testing';
