import { Injectable } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';
import { MACHINE_OPEN_LABELS } from './email-activity-window';

/** Longest a hit waits for the lookup before it is labelled on what this replica saw. */
export const OPEN_HISTORY_TIMEOUT_MS = 250;

/**
 * Whether a person opened an email, as the engagement store knows it: the opens every tracker
 * replica served, not only this one's (behind a load balancer the open and the click of one email
 * often reach different replicas, and a restart empties a replica's memory). Asked only when the
 * answer changes a label (a click soon after the send with no open in memory), and never waited on
 * for long: a slow or unreachable database gives "unknown", and the hit is labelled on what this
 * replica saw, as before.
 */
@Injectable()
export class OpenHistory {
  private readonly machineLabels = [...MACHINE_OPEN_LABELS];

  constructor(private readonly runtime: ServiceRuntime) {}

  /** True or false when the store answered in time; null when it did not. */
  async personOpened(sentEmailId: string, before: Date, timeoutMs = OPEN_HISTORY_TIMEOUT_MS): Promise<boolean | null> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const lookup = (
      this.runtime.dataSource.query(
        `SELECT 1 FROM tracker.engagement WHERE sent_email_id = $1 AND type = 'opened' AND occurred_at <= $2 AND label <> ALL($3::text[]) LIMIT 1`,
        [sentEmailId, before, this.machineLabels],
      ) as Promise<unknown[]>
    ).then(
      (rows) => rows.length > 0,
      () => null,
    );
    try {
      return await Promise.race([lookup, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
