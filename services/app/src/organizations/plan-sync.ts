import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';
import { z } from 'zod';

/** An organisation's plan; document features (the content service) need team or business. */
export const OrganizationPlan = z.enum(['free', 'team', 'business']);
export type OrganizationPlan = z.infer<typeof OrganizationPlan>;

export const PLAN_SYNC_SETTINGS = Symbol('PLAN_SYNC_SETTINGS');
export interface PlanSyncSettings {
  /** The plan of an organisation nobody set one for (APP_DEFAULT_PLAN). */
  defaultPlan: OrganizationPlan;
  /** The content service's base URL; empty: nothing to tell. */
  contentUrl: string;
  /** The app's own service credential, which content's INTERNAL_CALLERS names as `app`. */
  credential: string | null;
  /** How often a plan content has not acknowledged is sent again (0: only at start and on a change). */
  retryMs: number;
}

/**
 * Tells the content service each organisation's plan (PUT /internal/v1/organizations/:orgId/plan,
 * idempotent). An organisation is pending while `plan_pushed` differs from its effective plan (its
 * own, or the default): at start, after a change, and every `retryMs` while content was down. A
 * changed APP_DEFAULT_PLAN makes the organisations without a plan of their own pending again.
 */
@Injectable()
export class PlanSync implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(PLAN_SYNC_SETTINGS) private readonly settings: PlanSyncSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.contentUrl !== '' && this.settings.credential !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.wake();
    if (this.settings.retryMs > 0) {
      this.timer = setInterval(() => this.wake(), this.settings.retryMs);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Starts a pass (or another one after the current); resolves when the passes are done. */
  wake(): Promise<void> {
    if (!this.enabled || this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch((err: unknown) => this.runtime.logger.warn({ err: (err as Error).message }, 'organisation plans: pass failed'));
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Sends every pending organisation's plan once; those content refuses or cannot take stay pending. */
  private async pass(): Promise<void> {
    const pending = (await this.runtime.dataSource.query(
      `SELECT id, COALESCE(plan, $1) AS plan FROM app.organization WHERE plan_pushed IS DISTINCT FROM COALESCE(plan, $1) ORDER BY id LIMIT 500`,
      [this.settings.defaultPlan],
    )) as { id: string; plan: OrganizationPlan }[];
    let failed = 0;
    for (const org of pending) {
      if (this.stopped) return;
      const ok = await this.push(org.id, org.plan);
      if (!ok) {
        failed++;
        continue;
      }
      await this.runtime.dataSource.query(`UPDATE app.organization SET plan_pushed = $2 WHERE id = $1 AND COALESCE(plan, $3) = $2`, [org.id, org.plan, this.settings.defaultPlan]);
    }
    if (failed > 0) this.runtime.logger.warn({ failed }, 'organisation plans: the content service did not take them; sent again later');
  }

  private async push(orgId: string, plan: OrganizationPlan): Promise<boolean> {
    try {
      const res = await fetch(`${this.settings.contentUrl}/internal/v1/organizations/${orgId}/plan`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.settings.credential}` },
        body: JSON.stringify({ plan }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }
}
