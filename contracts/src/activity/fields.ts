import { z } from 'zod';

/** Anything a comment can be about: any string up to 512 characters (a URL path, an event id...). */
export const itemId = () => z.string().min(1).max(512);

/** The start of a text, for an e-mail line or a notification; never the whole of a long text. */
export const textPreview = () => z.string().max(280);

export const reactionType = z.enum(['like', 'love', 'laugh', 'wow', 'sad', 'celebrate']);
