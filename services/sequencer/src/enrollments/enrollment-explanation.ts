/** What the sequencer knows about one enrollment, for "why did (or didn't) it stop?". */
export interface ExplanationFacts {
  state: string;
  stopReason: string | null;
  stopCauseId: string | null;
  endedAt: Date | null;
  nextStepNumber: number;
  nextDueAt: Date | null;
  pausedUntil: Date | null;
  /** The latest pause was made by hand (POST /v1/enrollments/:id/pause). */
  pausedByHand?: boolean;
  /** The latest pause was the sequencer's own, with this reason (a step template lacking a variable). */
  pausedBecause?: string | null;
  /** Why the next step was put off, when the latest change did that (the send window, the mailbox's daily cap). */
  waitingBecause?: string | null;
  stepCount: number;
  steps: { stepNumber: number; status: string; sentAt: Date | null }[];
  /** Send claims granted after the stop in the history's (row-lock) order: always 0 (ADR 0002). */
  claimsAfterStop: number;
  replies: { replyId: string; kind: string; relation: string | null; from: string | null; effect: string; why: string; at: Date }[];
}

export interface Explanation {
  /** One plain sentence. */
  answer: string;
  stopped: boolean;
  /** Each detected reply and what it did, oldest first. */
  /** Send claims granted after the stop in the history's (row-lock) order: always 0 (ADR 0002). */
  claimsAfterStop: number;
  replies: { replyId: string; kind: string; relation: string | null; from: string | null; effect: string; why: string; at: string }[];
  stepsSent: number[];
}

const STOP_REASONS: Record<string, string> = {
  replied: 'a human reply was detected',
  bounced: 'an email bounced',
  company_replied: 'someone else at the prospect\'s company replied and the sequence stops on that',
  unsubscribed: 'the prospect unsubscribed',
  manual: 'it was stopped by hand',
};

/** Turns the facts into a plain answer; pure, so every wording is covered by a table test. */
export function explainEnrollment(f: ExplanationFacts): Explanation {
  const replies = f.replies.map((r) => ({ ...r, at: r.at.toISOString() }));
  const stepsSent = f.steps.filter((s) => s.status === 'sent').map((s) => s.stepNumber);
  const cause = f.replies.find((r) => r.replyId === f.stopCauseId && r.effect === 'stopped');
  const ignored = f.replies.filter((r) => r.effect === 'none');
  const ignoredNote = ignored.length > 0 ? ` ${ignored.length} detected ${ignored.length === 1 ? 'reply' : 'replies'} did not stop it: ${ignored.map((r) => r.why).join('; ')}.` : '';
  const noReply = f.replies.length === 0 ? ' No reply has been detected for it.' : '';
  const sent = `${stepsSent.length} of ${f.stepCount} steps sent`;
  const at = (d: Date | null) => d?.toISOString() ?? 'an unknown time';
  let answer: string;
  switch (f.state) {
    case 'stopped':
      answer = `Stopped at ${at(f.endedAt)} because ${STOP_REASONS[f.stopReason ?? ''] ?? f.stopReason ?? 'of an unknown reason'}${cause ? ` (${cause.why})` : ''}; ${sent}, ${f.claimsAfterStop === 0 ? 'none claimed for sending after the stop' : `${f.claimsAfterStop} claimed after the stop`}.`;
      break;
    case 'paused':
      if (f.pausedBecause) {
        answer = `Not stopped, paused until someone resumes it: step ${f.nextStepNumber} was not sent because ${f.pausedBecause}. Fix the template or the variables, then resume; ${sent}.${ignoredNote}`;
        break;
      }
      if (f.pausedByHand) {
        answer = `Not stopped, paused by hand ${f.pausedUntil ? `until ${at(f.pausedUntil)}` : 'until someone resumes it'}. Step ${f.nextStepNumber} follows its full delay after the resume; ${sent}.${ignoredNote}`;
        break;
      }
      answer = `Not stopped, paused until ${at(f.pausedUntil)}: ${[...f.replies].reverse().find((r) => r.effect === 'paused' || r.effect === 'pause_extended')?.why ?? 'paused'}. Step ${f.nextStepNumber} follows its full delay after that; ${sent}.${ignoredNote}`;
      break;
    case 'active':
      answer = `Not stopped: still running, ${sent}, step ${f.nextStepNumber} ${f.nextDueAt ? `due at ${at(f.nextDueAt)}` : 'is with the sender'}${f.waitingBecause && f.nextDueAt ? ` (${f.waitingBecause})` : ''}.${noReply}${ignoredNote}`;
      break;
    case 'completed':
      answer = `Not stopped: completed at ${at(f.endedAt)}, all ${f.stepCount} steps sent before any reply stopped it.${noReply}${ignoredNote}`;
      break;
    case 'failed':
      answer = `Not stopped by a reply: sending failed for good at ${at(f.endedAt)} (${f.stopReason ?? 'unknown error'}); ${sent}.${ignoredNote}`;
      break;
    default:
      answer = `In state ${f.state}; ${sent}.`;
  }
  return { answer, stopped: f.state === 'stopped', claimsAfterStop: f.claimsAfterStop, replies, stepsSent };
}
