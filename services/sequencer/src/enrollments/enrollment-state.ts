/**
 * Enrollment lifecycle. Changed only through the named transitions below (STYLE.md §5):
 *   active ──stop──▶ stopped        (reply, bounce, manual: terminal)
 *   active ──last step sent──▶ completed
 *   active ──send failed permanently──▶ failed
 */
export const EnrollmentState = {
  active: 'active',
  stopped: 'stopped',
  completed: 'completed',
  failed: 'failed',
} as const;
export type EnrollmentState = (typeof EnrollmentState)[keyof typeof EnrollmentState];

export function isTerminal(state: EnrollmentState): boolean {
  return state !== 'active';
}
