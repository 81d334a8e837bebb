import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

export const DocumentConverted = z.object({
  orgId: Uuid,
  documentId: Uuid,
  version: z.number().int().min(1).max(100_000),
  /** `ready`: the PDF, a thumbnail per page and the text are stored; `failed`: see `reason`. */
  status: z.enum(['ready', 'failed']),
  pageCount: z.number().int().min(1).max(100_000).nullable(),
  /** Why the conversion failed, in words a rep can act on; null when ready. */
  reason: z.string().max(1000).nullable(),
  convertedAt: Instant,
});
export type DocumentConverted = z.infer<typeof DocumentConverted>;

export const documentConvertedTopic = defineTopic({
  name: 'document.converted.v1',
  eventType: 'document.converted',
  title: 'Document converted',
  description: 'A document version finished converting: ready to be viewed (page count known) or failed with the reason.',
  schema: DocumentConverted,
  keyOf: (p) => p.documentId,
  keyDescription: 'documentId',
  producers: ['content'],
  consumers: [],
});
