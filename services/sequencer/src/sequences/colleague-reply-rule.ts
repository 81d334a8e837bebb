import { z } from 'zod';

/**
 * The optional company-wide rule of a sequence: when someone at a prospect's company replies (to this
 * or any other enrollment of the org), the sequence's other live enrollments at that company are
 * left alone (`none`), stopped (`stop`) or paused (`pause`).
 */
export const ColleagueReplyRule = z.enum(['none', 'stop', 'pause']);
export type ColleagueReplyRule = z.infer<typeof ColleagueReplyRule>;
