/**
 * Enrollment lifecycle. Changed only through the named transitions below (STYLE.md §5):
 *   active ──stop──▶ stopped        (reply, bounce, manual, company rule: terminal)
 *   active ──pause──▶ paused        (out-of-office, company rule "pause", by hand until a date or until resumed)
 *   paused ──pause──▶ paused        (a later out-of-office extends the pause, never shortens it; a pause until resumed is never shortened)
 *   paused ──resume──▶ active       (the pause ended or was resumed by hand; the step that was due gets its full delay again, counted from then)
 *   paused ──stop──▶ stopped        (a human reply during the pause)
 *   active ──last step sent──▶ completed
 *   active ──send failed permanently──▶ failed
 */
export const EnrollmentState = {
  active: 'active',
  paused: 'paused',
  stopped: 'stopped',
  completed: 'completed',
  failed: 'failed',
} as const;
export type EnrollmentState = (typeof EnrollmentState)[keyof typeof EnrollmentState];

export function isTerminal(state: EnrollmentState): boolean {
  return state !== 'active' && state !== 'paused';
}
