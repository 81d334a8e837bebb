/**
 * Enrollment lifecycle. Changed only through the named transitions below (STYLE.md §5):
 *   active ──stop──▶ stopped        (reply, bounce, manual, company rule: terminal)
 *   active ──pause──▶ paused        (out-of-office, company rule "pause")
 *   paused ──pause──▶ paused        (a later out-of-office extends the pause, never shortens it)
 *   paused ──resume──▶ active       (the pause ended; the step that was due gets its full delay again)
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
