import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { DeviceDirectory } from './device-directory';

export interface OfficeRange {
  cidr: string;
  name: string | null;
}

/** An org's office networks; hits from them are labelled `internal`. */
@Injectable()
export class OfficeRangesService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly directory: DeviceDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(orgId: string): Promise<OfficeRange[]> {
    return (await this.runtime.dataSource.query(`SELECT cidr::text AS cidr, name FROM tracker.office_range WHERE org_id = $1 ORDER BY cidr`, [orgId])) as OfficeRange[];
  }

  /** Replaces the org's ranges as a whole (PUT semantics). */
  async replace(orgId: string, ranges: readonly OfficeRange[]): Promise<OfficeRange[]> {
    const now = this.clock.now();
    await this.runtime.transaction(async (m) => {
      await m.query(`DELETE FROM tracker.office_range WHERE org_id = $1`, [orgId]);
      for (const range of ranges) {
        await m.query(`INSERT INTO tracker.office_range (org_id, cidr, name, created_at) VALUES ($1, network($2::inet), $3, $4) ON CONFLICT (org_id, cidr) DO NOTHING`, [orgId, range.cidr, range.name, now]);
      }
    });
    const stored = await this.list(orgId);
    this.directory.setOfficeRanges(orgId, stored.map((r) => r.cidr));
    return stored;
  }
}
