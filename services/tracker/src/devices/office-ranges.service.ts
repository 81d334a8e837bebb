import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { cidrCoverage } from '@telltale/contracts/dist/src/address-ranges';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { DeviceDirectory } from './device-directory';

export interface OfficeRange {
  cidr: string;
  name: string | null;
}

/** The broadest office range allowed, as the shortest prefix per family (OFFICE_RANGE_MIN_PREFIX_V4/_V6). */
export interface OfficeRangeLimits {
  minPrefixV4: number;
  minPrefixV6: number;
}
export const OFFICE_RANGE_LIMITS = Symbol('OFFICE_RANGE_LIMITS');

/** Why a range is too broad to be an office network, or null. */
export function officeRangeTooBroad(cidr: string, limits: OfficeRangeLimits): string | null {
  const coverage = cidrCoverage(cidr);
  if (!coverage) return null; // Not a CIDR: the request schema says so.
  // An IPv6 range over ::ffff:0:0/96 covers IPv4 clients too, and is held to the IPv4 limit for them.
  if (coverage.ipv4Prefix !== null && coverage.ipv4Prefix < limits.minPrefixV4) {
    return `covers more IPv4 addresses than a /${limits.minPrefixV4}: an office range must be /${limits.minPrefixV4} or narrower`;
  }
  if (coverage.ipv6Prefix !== null && coverage.ipv6Prefix < limits.minPrefixV6) {
    return `is broader than a /${limits.minPrefixV6}: an IPv6 office range must be /${limits.minPrefixV6} or narrower`;
  }
  return null;
}

/** An org's office networks; hits from them are labelled `internal`. */
@Injectable()
export class OfficeRangesService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly directory: DeviceDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OFFICE_RANGE_LIMITS) private readonly limits: OfficeRangeLimits,
  ) {}

  async list(orgId: string): Promise<OfficeRange[]> {
    return (await this.runtime.dataSource.query(`SELECT cidr::text AS cidr, name FROM tracker.office_range WHERE org_id = $1 ORDER BY cidr`, [orgId])) as OfficeRange[];
  }

  /**
   * Replaces the org's ranges as a whole (PUT semantics). A range broader than the limits is a 400
   * `office_range_too_broad` naming each such entry (`ranges.<i>.cidr`), and nothing changes.
   */
  async replace(orgId: string, ranges: readonly OfficeRange[]): Promise<OfficeRange[]> {
    const issues = ranges.flatMap((range, i) => {
      const problem = officeRangeTooBroad(range.cidr, this.limits);
      return problem ? [{ path: `ranges.${i}.cidr`, message: `${range.cidr} ${problem}` }] : [];
    });
    if (issues.length > 0) throw new BadRequestException({ error: 'office_range_too_broad', issues });
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
