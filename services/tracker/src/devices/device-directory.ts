import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';
import { AddressRanges } from '@telltale/contracts/dist/src/address-ranges';

interface DeviceOwner {
  orgId: string;
  userId: string;
}

interface DeviceRow {
  cookie_hash: Buffer;
  org_id: string;
  user_id: string;
  revoked_at: Date | null;
  updated_at: Date;
}

export const hashDeviceCookie = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Registered devices and office ranges, held in memory so the pixel never waits on the database:
 * loaded at start, refreshed incrementally (other replicas' registrations and revocations show up
 * within one refresh interval), and updated at once for changes made through this instance.
 */
@Injectable()
export class DeviceDirectory {
  private readonly devices = new Map<string, DeviceOwner>();
  private officeRanges = new Map<string, AddressRanges>();
  private devicesSeenUntil = new Date(0);

  constructor(private readonly runtime: ServiceRuntime) {}

  /** The user owning this cookie's device, if it is registered, unrevoked and of `orgId`. */
  selfUserFor(cookieValue: string | null, orgId: string): string | null {
    if (!cookieValue) return null;
    const owner = this.devices.get(hashDeviceCookie(cookieValue).toString('hex'));
    return owner && owner.orgId === orgId ? owner.userId : null;
  }

  officeRangesOf(orgId: string): AddressRanges | null {
    return this.officeRanges.get(orgId) ?? null;
  }

  remember(cookieHash: Buffer, owner: DeviceOwner | null): void {
    if (owner) this.devices.set(cookieHash.toString('hex'), owner);
    else this.devices.delete(cookieHash.toString('hex'));
  }

  /** Reloads changed devices and every office range; keeps the old view when the database is down. */
  async refresh(): Promise<void> {
    // Rows changed in the same instant as the last one seen are re-read: overlap, never a gap.
    const rows = (await this.runtime.dataSource.query(
      `SELECT cookie_hash, org_id, user_id, revoked_at, updated_at FROM tracker.device WHERE updated_at >= $1 ORDER BY updated_at`,
      [this.devicesSeenUntil],
    )) as DeviceRow[];
    for (const row of rows) {
      this.remember(row.cookie_hash, row.revoked_at ? null : { orgId: row.org_id, userId: row.user_id });
      if (row.updated_at > this.devicesSeenUntil) this.devicesSeenUntil = row.updated_at;
    }
    const ranges = (await this.runtime.dataSource.query(`SELECT org_id, cidr::text AS cidr FROM tracker.office_range ORDER BY org_id`)) as { org_id: string; cidr: string }[];
    const byOrg = new Map<string, string[]>();
    for (const r of ranges) byOrg.set(r.org_id, [...(byOrg.get(r.org_id) ?? []), r.cidr]);
    this.officeRanges = new Map([...byOrg].map(([org, cidrs]) => [org, AddressRanges.compile(cidrs, `office ranges of ${org}`)]));
  }

  /** Office ranges of an org changed through this instance: visible to the next hit. */
  setOfficeRanges(orgId: string, cidrs: readonly string[]): void {
    if (cidrs.length === 0) this.officeRanges.delete(orgId);
    else this.officeRanges.set(orgId, AddressRanges.compile(cidrs, `office ranges of ${orgId}`));
  }
}
