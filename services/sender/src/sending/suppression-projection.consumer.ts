import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { suppressionChangedTopic, type SuppressionChanged } from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';

/**
 * The sender's copy of every organisation's suppression list (the sequencer owns it), so that an
 * email to a suppressed address is refused here too, whatever asked for it.
 */
@Controller()
export class SuppressionProjectionConsumer {
  @EventPattern(suppressionChangedTopic.name)
  async onSuppressionChanged(@Payload() event: ConsumedEvent<SuppressionChanged>, @Ctx() context: EventContext): Promise<void> {
    const s = event.payload;
    if (s.change === 'added') {
      await context.manager.query(
        `INSERT INTO sender.suppressed_address (org_id, address, suppression_id, reason, since) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, address) DO UPDATE SET suppression_id = EXCLUDED.suppression_id, reason = EXCLUDED.reason, since = EXCLUDED.since`,
        [s.orgId, s.address, s.suppressionId, s.reason, s.since],
      );
    } else {
      // Only the entry that was lifted: a newer entry for the address stays.
      await context.manager.query(`DELETE FROM sender.suppressed_address WHERE org_id = $1 AND address = $2 AND suppression_id = $3`, [s.orgId, s.address, s.suppressionId]);
    }
  }
}

/** Why the email may not go out (the first suppressed recipient among To and CC), or null. */
export async function suppressedRecipient(m: EntityManager, orgId: string, addresses: readonly string[]): Promise<string | null> {
  const [row] = (await m.query(
    `SELECT address, reason, since FROM sender.suppressed_address WHERE org_id = $1 AND address = ANY($2::text[]) ORDER BY array_position($2::text[], address) LIMIT 1`,
    [orgId, addresses.map((a) => a.toLowerCase())],
  )) as { address: string; reason: string; since: Date }[];
  return row ? `address_suppressed: ${row.address} is on the organisation's suppression list (${row.reason} since ${row.since.toISOString()})` : null;
}
