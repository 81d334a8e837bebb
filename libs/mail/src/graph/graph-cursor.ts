import { z } from 'zod';

/** Per-folder delta state: a deltaLink between rounds, a nextLink while a round is paging. */
export const GraphCursor = z.object({
  v: z.literal(1),
  folders: z.record(z.string(), z.object({ name: z.string(), link: z.url(), paging: z.boolean() })),
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
