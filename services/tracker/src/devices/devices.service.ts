import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { DeviceDirectory, hashDeviceCookie } from './device-directory';

export interface DeviceView {
  deviceId: string;
  userId: string;
  userAgent: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface DeviceRow {
  id: string;
  user_id: string;
  user_agent: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const view = (r: DeviceRow): DeviceView => ({
  deviceId: r.id,
  userId: r.user_id,
  userAgent: r.user_agent,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
});

/** Registers, lists and revokes the browsers whose hits are a user's own (`self`). */
@Injectable()
export class DevicesService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly directory: DeviceDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Registers the browser for the user; returns the cookie value to set, or null when the cookie
   * it already carries is a live device of that same user (registering twice changes nothing).
   */
  async register(orgId: string, userId: string, presentedCookie: string | null, userAgent: string | null): Promise<string | null> {
    if (presentedCookie && this.directory.selfUserFor(presentedCookie, orgId) === userId) return null;
    const cookie = randomBytes(32).toString('base64url');
    const hash = hashDeviceCookie(cookie);
    const now = this.clock.now();
    await this.runtime.dataSource.query(
      `INSERT INTO tracker.device (id, org_id, user_id, cookie_hash, user_agent, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [randomUUID(), orgId, userId, hash, userAgent?.slice(0, 512) ?? null, now],
    );
    this.directory.remember(hash, { orgId, userId });
    return cookie;
  }

  async list(orgId: string, userId: string): Promise<DeviceView[]> {
    const rows = (await this.runtime.dataSource.query(
      `SELECT id, user_id, user_agent, created_at, revoked_at FROM tracker.device WHERE org_id = $1 AND user_id = $2 ORDER BY created_at, id`,
      [orgId, userId],
    )) as DeviceRow[];
    return rows.map(view);
  }

  async revoke(orgId: string, userId: string, deviceId: string): Promise<DeviceView> {
    const now = this.clock.now();
    const rows = (await this.runtime.dataSource.query(
      `UPDATE tracker.device SET revoked_at = COALESCE(revoked_at, $4), updated_at = $4
       WHERE org_id = $1 AND user_id = $2 AND id = $3
       RETURNING id, user_id, user_agent, created_at, revoked_at, cookie_hash`,
      [orgId, userId, deviceId, now],
    )) as [(DeviceRow & { cookie_hash: Buffer })[], number];
    const row = rows[0][0];
    if (!row) throw new NotFoundException({ error: 'device_not_found' });
    this.directory.remember(row.cookie_hash, null);
    return view(row);
  }
}
