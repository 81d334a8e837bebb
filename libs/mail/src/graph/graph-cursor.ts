import { z } from 'zod';

/**
 * Per-folder delta state: a deltaLink between rounds, a nextLink while a round is paging.
 * `discoveredAt` (ISO time of the last folder-tree walk) came later: a cursor without it still
 * parses and just asks for a walk at the next round. Unknown keys are stripped, so an older build
 * reading a newer cursor keeps working too.
 */
export const GraphCursor = z.object({
  v: z.literal(1),
  folders: z.record(z.string(), z.object({ name: z.string(), link: z.url(), paging: z.boolean() })),
  discoveredAt: z.string().optional(),
});
export type GraphCursor = z.infer<typeof GraphCursor>;

export function decodeGraphCursor(text: string): GraphCursor | undefined {
  try {
    const parsed = GraphCursor.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
