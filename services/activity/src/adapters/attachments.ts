/**
 * Attachments in S3: a presigned POST whose policy carries the limits (S3 itself refuses an upload of
 * another content type or over the size, whatever the client says), presigned downloads for
 * participants, and a look at what was really uploaded.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '@switchyard/runtime';

/** How long an upload form and a download link stay valid. */
export const UPLOAD_SECONDS = 15 * 60;
export const DOWNLOAD_SECONDS = 15 * 60;

export interface AttachmentStorage {
  uploadForm(input: {
    key: string;
    contentType: string;
    size: number;
  }): Promise<{ url: string; fields: Record<string, string> }>;
  downloadUrl(key: string): Promise<string>;
  /** The stored object's size and type, or undefined when nothing was uploaded under the key. */
  stat(key: string): Promise<{ size: number; contentType?: string } | undefined>;
}

export function attachmentStorage(
  bucket: () => string,
  client: () => S3Client = s3Client,
): AttachmentStorage {
  return {
    async uploadForm({ key, contentType, size }) {
      return createPresignedPost(client(), {
        Bucket: bucket(),
        Key: key,
        // The declared size is the only size S3 takes, and only the declared type.
        Conditions: [
          ['content-length-range', size, size],
          ['eq', '$Content-Type', contentType],
        ],
        Fields: { 'Content-Type': contentType },
        Expires: UPLOAD_SECONDS,
      });
    },
    downloadUrl: (key) =>
      getSignedUrl(client(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
        expiresIn: DOWNLOAD_SECONDS,
      }),
    async stat(key) {
      try {
        const head = await client().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
        return {
          size: Number(head.ContentLength ?? 0),
          ...(head.ContentType ? { contentType: head.ContentType } : {}),
        };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined;
        throw error;
      }
    },
  };
}
