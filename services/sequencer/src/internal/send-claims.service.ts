import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { EnrollmentStore } from '../enrollments/enrollment-store';

export type ClaimResult = { granted: true } | { granted: false; reason: string };

/**
 * The sender's last check before it calls the provider: a claim is granted only while the enrollment
 * is active and this hand-over is still its current step. Claiming and stopping lock the same row,
 * so a stop that committed first always refuses the claim.
 */
@Injectable()
export class SendClaimsService {
  private readonly store: EnrollmentStore;

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.store = new EnrollmentStore(runtime.outbox);
  }

  claim(sendRequestId: string): Promise<ClaimResult> {
    return this.runtime.transaction(async (m) => {
      const [dispatch] = (await m.query(`SELECT enrollment_id, step_number, status FROM sequencer.step_dispatch WHERE id = $1`, [sendRequestId])) as {
        enrollment_id: string;
        step_number: number;
        status: string;
      }[];
      if (!dispatch) return { granted: false, reason: 'unknown send request' };
      const enrollment = await this.store.lock(m, dispatch.enrollment_id);
      if (!enrollment || enrollment.state !== 'active') return { granted: false, reason: `enrollment is ${enrollment?.state ?? 'gone'}` };
      // Re-read under the lock: a stop or pause that committed meanwhile cancelled the hand-over.
      const [current] = (await m.query(`SELECT status FROM sequencer.step_dispatch WHERE id = $1`, [sendRequestId])) as { status: string }[];
      const status = current?.status ?? dispatch.status;
      // A redelivered request after a crash mid-send may claim again.
      if (status === 'claimed') return { granted: true };
      if (status !== 'requested') return { granted: false, reason: `send request is ${status}` };
      if (enrollment.next_step_number !== dispatch.step_number) return { granted: false, reason: 'not the current step' };
      const now = this.clock.now();
      await m.query(`UPDATE sequencer.step_dispatch SET status = 'claimed', claimed_at = $2 WHERE id = $1`, [sendRequestId, now]);
      // Recorded under the row lock, like every transition: the history's order is the order in
      // which the claim and a stop took the lock, so "claimed before the stop" is provable.
      await m.query(
        `INSERT INTO sequencer.enrollment_event (enrollment_id, org_id, transition, from_state, to_state, detail, occurred_at)
         VALUES ($1, $2, 'step-claimed', 'active', 'active', $3, $4)`,
        [enrollment.id, enrollment.org_id, JSON.stringify({ sendRequestId, stepNumber: dispatch.step_number }), now],
      );
      return { granted: true };
    });
  }
}
