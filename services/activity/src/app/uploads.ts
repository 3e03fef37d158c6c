/** Attachment uploads: a presigned POST for the caller, recorded so only they can send it. */
import { randomUUID } from 'node:crypto';
import { validationFailed } from '@switchyard/runtime';
import type { AttachmentStorage } from '../adapters/attachments';
import { UPLOAD_SECONDS } from '../adapters/attachments';
import type { ConversationStore } from '../adapters/conversation-store';
import type { Viewer } from '../domain/comments';

export interface UploadDeps {
  conversations: Pick<ConversationStore, 'putUpload'>;
  storage: Pick<AttachmentStorage, 'uploadForm'>;
  maxBytes: number;
  now: () => Date;
  newId?: () => string;
}

/** A file name safe in a key: letters, digits, dot, dash and underscore, at most 100 characters. */
export function safeFilename(filename: string): string {
  const cleaned = filename.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return (cleaned || 'file').slice(-100);
}

export async function requestUpload(
  viewer: Viewer,
  input: { filename: string; contentType: string; size: number },
  deps: UploadDeps,
) {
  if (input.size > deps.maxBytes) {
    throw validationFailed([{ path: 'size', message: `An attachment is at most ${deps.maxBytes} bytes.` }]);
  }
  const now = deps.now();
  const id = (deps.newId ?? randomUUID)().replace(/-/g, '');
  const key = `${viewer.tenantId}/${viewer.userId}/${id}/${safeFilename(input.filename)}`;
  const form = await deps.storage.uploadForm({ key, contentType: input.contentType, size: input.size });
  // The record outlives the form by a day: a file uploaded at the last minute can still be sent.
  await deps.conversations.putUpload(
    {
      tenantId: viewer.tenantId,
      ownerId: viewer.userId,
      key,
      filename: input.filename,
      contentType: input.contentType,
      size: input.size,
    },
    Math.floor(now.getTime() / 1000) + UPLOAD_SECONDS + 24 * 60 * 60,
  );
  return {
    key,
    upload: form,
    expiresAt: new Date(now.getTime() + UPLOAD_SECONDS * 1000).toISOString(),
  };
}
