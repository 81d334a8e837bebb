import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

/** What a content library file really is (read from its bytes, not its name). */
export const DocumentFileType = z.enum(['pdf', 'docx', 'doc', 'pptx', 'ppt']);
export type DocumentFileType = z.infer<typeof DocumentFileType>;

export const DocumentUploaded = z.object({
  orgId: Uuid,
  documentId: Uuid,
  /** 1 for a new document, then one more for each new version. */
  version: z.number().int().min(1).max(100_000),
  fileType: DocumentFileType,
  sizeBytes: z.number().int().min(1).max(10_000_000_000),
  uploadedAt: Instant,
});
export type DocumentUploaded = z.infer<typeof DocumentUploaded>;

export const documentUploadedTopic = defineTopic({
  name: 'document.uploaded.v1',
  eventType: 'document.uploaded',
  title: 'Document uploaded',
  description: 'A new document, or a new version of one, was stored in the content library; the conversion worker makes its PDF, page thumbnails and text.',
  schema: DocumentUploaded,
  keyOf: (p) => p.documentId,
  keyDescription: 'documentId',
  producers: ['content'],
  consumers: ['content'],
});
