import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { IsNull } from 'typeorm';
import { Session } from './session.entity';

export const SESSION_POLICY = Symbol('SESSION_POLICY');
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SessionView {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  current: boolean;
}

/**
 * Browser sessions: a random 256-bit secret in an HttpOnly cookie, its SHA-256 in the table. A
 * session ends at its absolute expiry, after the idle time without a request, at sign-out, or when
 * revoked (by its user, or an admin for anyone in the organisation).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SESSION_POLICY) private readonly policy: SessionPolicy,
  ) {}

  private get repo() {
    return this.runtime.dataSource.getRepository(Session);
  }

  async create(userId: string, orgId: string, userAgent: string | null): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session = this.repo.create({
      id: randomUUID(),
      tokenHash: sha256(token),
      userId,
      orgId,
      csrfToken: randomBytes(24).toString('base64url'),
      userAgent: userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.policy.absoluteMs),
      revokedAt: null,
    });
    await this.repo.insert(session);
    return { token, session };
  }

  /** The live session a cookie names, its idle clock moved on (at most once a minute); null when ended. */
  async resume(token: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const session = await this.repo.findOneBy({ tokenHash: sha256(token) });
    const now = this.clock.now();
    if (!session || session.revokedAt || session.expiresAt <= now) return null;
    if (now.getTime() - session.lastSeenAt.getTime() > this.policy.idleMs) return null;
    if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
      await this.repo.update({ id: session.id }, { lastSeenAt: now });
      session.lastSeenAt = now;
    }
    return session;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.repo.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }

  /** Ends every session of a user (disabled, role changed, or asked for). */
  async revokeAllOf(userId: string): Promise<number> {
    const result = await this.repo.update({ userId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
    return result.affected ?? 0;
  }

  async listLive(userId: string, currentId: string | null): Promise<SessionView[]> {
    const now = this.clock.now();
    const rows = await this.repo.find({ where: { userId, revokedAt: IsNull() }, order: { createdAt: 'DESC' }, take: 100 });
    return rows
      .filter((s) => s.expiresAt > now && now.getTime() - s.lastSeenAt.getTime() <= this.policy.idleMs)
      .map((s) => ({
        id: s.id,
        userAgent: s.userAgent,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: s.id === currentId,
      }));
  }

  async revokeOwn(userId: string, sessionId: string): Promise<void> {
    const session = await this.repo.findOneBy({ id: sessionId, userId });
    if (!session) throw new NotFoundException({ error: 'session_not_found', message: 'No such session of yours.' });
    await this.revoke(session.id);
  }
}
