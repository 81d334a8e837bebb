import type { EntityManager } from 'typeorm';
import type { SuppressionReason, SuppressionSource } from '@telltale/contracts';

export interface SuppressionRow {
  id: string;
  org_id: string;
  address: string;
  reason: SuppressionReason;
  source_kind: SuppressionSource['kind'];
  source_id: string | null;
  source_detail: string | null;
  created_by: string | null;
  created_at: Date;
  lifted_at: Date | null;
  lifted_by: string | null;
  lift_reason: string | null;
}

/** What a caller is told about a suppressed address (never another organisation's entry). */
export interface SuppressedAddress {
  address: string;
  reason: SuppressionReason;
  since: string;
  suppressionId: string;
}

/** The organisation's live entries among `addresses` (compared lower-cased), by address. */
export async function liveSuppressions(m: Pick<EntityManager, 'query'>, orgId: string, addresses: readonly string[]): Promise<Map<string, SuppressedAddress>> {
  const wanted = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (wanted.length === 0) return new Map();
  const rows = (await m.query(`SELECT id, address, reason, created_at FROM sequencer.suppression WHERE org_id = $1 AND address = ANY($2::text[]) AND lifted_at IS NULL`, [
    orgId,
    wanted,
  ])) as Pick<SuppressionRow, 'id' | 'address' | 'reason' | 'created_at'>[];
  return new Map(rows.map((r) => [r.address, { address: r.address, reason: r.reason, since: r.created_at.toISOString(), suppressionId: r.id }]));
}

/** The first suppressed address among the prospect and the people on CC, with the request field that names it. */
export function firstSuppressed(
  live: Map<string, SuppressedAddress>,
  prospect: string,
  cc: readonly { address: string }[],
  prospectField: string,
): { field: string; entry: SuppressedAddress } | null {
  const entry = live.get(prospect.toLowerCase());
  if (entry) return { field: prospectField, entry };
  for (const [i, c] of cc.entries()) {
    const onCc = live.get(c.address.toLowerCase());
    if (onCc) return { field: `cc.${i}.address`, entry: onCc };
  }
  return null;
}

/** The message of an `address_suppressed` refusal: whom, why and since when. */
export function suppressedMessage(entry: SuppressedAddress): string {
  const why: Record<SuppressionReason, string> = {
    hard_bounce: 'a hard bounce showed the address does not exist',
    unsubscribed: 'the person unsubscribed',
    complaint: 'the person reported our email as spam',
    manual: 'someone in your organisation added it',
  };
  return `${entry.address} is on your organisation's suppression list since ${entry.since} (${entry.reason}: ${why[entry.reason]}); an admin can lift the entry.`;
}
