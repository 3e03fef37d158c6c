import { z } from 'zod';

// Field schemas shared by several messages, so the same concept has the same rules everywhere.

export const timestamp = () => z.iso.datetime({ offset: true });

/** Opaque identifier (ULID, UUID, Stripe id...): bounded so a bad producer cannot bloat events. */
export const identifier = () => z.string().min(1).max(128);

/** Lowercase hex SHA-256 digest. */
export const sha256Hex = () => z.string().regex(/^[a-f0-9]{64}$/, 'lowercase hex SHA-256 (64 characters)');

/** Permission level of a user or an API key, from least to most privileged. */
export const role = () => z.enum(['viewer', 'creator', 'admin']);

export const email = () => z.email().max(254);

/** A group a person belongs to in their tenant (the user pool's groups; `Admins` administer it). */
export const userGroup = () => z.enum(['Admins', 'Creators', 'Viewers']);

/** Whether a person may sign in and act: a suspended person keeps their account but cannot. */
export const userStatus = () => z.enum(['active', 'suspended']);

/** A person's display name as other services show it. */
export const displayName = () => z.string().min(1).max(200);
