import type { ReplyVerdict } from './reply-verdict';

/** The one-line JSON shape of `npx telltale classify-reply` and of the corpus golden files. */
export interface ClassificationLine {
  file: string;
  kind: 'reply' | 'auto_reply' | 'bounce' | 'other';
  bounce: 'hard' | 'soft' | null;
  matchedMessageId: string | null;
  relation: 'prospect' | 'colleague' | 'cc' | 'other' | null;
  returnDate: string | null;
  reasons: string[];
}

export function toClassificationLine(file: string, verdict: ReplyVerdict): ClassificationLine {
  return {
    file,
    kind: verdict.kind,
    bounce: verdict.bounce?.severity ?? null,
    matchedMessageId: verdict.matchedMessageId,
    relation: verdict.relation,
    returnDate: verdict.returnDate,
    reasons: verdict.reasons,
  };
}
