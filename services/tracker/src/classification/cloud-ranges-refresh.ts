import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicPass, ServiceRuntime } from '@telltale/runtime';
import { HIT_SIGNATURES } from '../hits/tracker-tokens';
import { CloudRangeIndex, CloudRangesFile } from './cloud-ranges';
import type { HitSignatures } from './hit-signatures';
import { refreshCloudRanges } from './refresh-signatures';

export interface CloudRangesRefreshSettings {
  /** Where the providers' lists are read (https URLs, files, folders); empty: this process only reads what another one refreshed. */
  from: readonly string[];
  /** How often the lists are read again. */
  refreshMs: number;
  /** How often the refreshed ranges are looked for in the database. */
  reloadMs: number;
}
export const CLOUD_RANGES_REFRESH = Symbol('CLOUD_RANGES_REFRESH');

interface StoredRow {
  file: unknown;
  refreshed_at: Date;
}

/**
 * Keeps the cloud ranges current while the tracker runs (issue 19). The process configured with
 * TRACKER_CLOUD_RANGES_REFRESH_FROM (in Helm, the engagement store, which may reach the internet)
 * reads the providers' lists at start and every TRACKER_CLOUD_RANGES_REFRESH_HOURS and writes the
 * result to `tracker.cloud_ranges`; every tracker process loads it from there at start and then
 * every TRACKER_CLOUD_RANGES_RELOAD_MS, and swaps it into the classifier. The shipped
 * `data/cloud-ranges.json` serves until a refresh has landed. A list that cannot be read or does not
 * parse leaves the last good ranges in place and is logged; nothing here stops the pixel.
 */
@Injectable()
export class CloudRangesRefresh implements OnApplicationBootstrap, OnApplicationShutdown {
  private loadedAt: Date | null = null;
  private readonly refreshPass: PeriodicPass;
  private readonly reloadPass: PeriodicPass;

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(HIT_SIGNATURES) private readonly signatures: HitSignatures,
    @Inject(CLOUD_RANGES_REFRESH) private readonly settings: CloudRangesRefreshSettings,
  ) {
    this.refreshPass = new PeriodicPass(() => this.refreshOnce(), (err) => this.warn('cloud ranges not refreshed; keeping the last good ones', err));
    this.reloadPass = new PeriodicPass(
      async () => {
        await this.reload();
        return 1;
      },
      (err) => this.warn('cloud ranges not loaded from the database; keeping those in use', err),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reloadPass.run();
    this.reloadPass.start(this.settings.reloadMs);
    if (this.settings.from.length > 0) {
      // Not awaited: a slow provider never delays start-up.
      void this.refreshPass.run();
      this.refreshPass.start(this.settings.refreshMs);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.refreshPass.stop(), this.reloadPass.stop()]);
  }

  /** Reads the providers' lists and stores the result; resolves when done (or failed, logged). A call while one runs joins it. */
  async refresh(): Promise<void> {
    await this.refreshPass.run();
  }

  /** Loads ranges another process (or this one) refreshed, when newer than those in use. */
  async reload(): Promise<void> {
    const rows = (await this.runtime.dataSource.query(`SELECT file, refreshed_at FROM tracker.cloud_ranges WHERE id = 1`)) as StoredRow[];
    const row = rows[0];
    if (!row || (this.loadedAt && row.refreshed_at <= this.loadedAt)) return;
    const file = CloudRangesFile.safeParse(row.file);
    if (!file.success) {
      this.runtime.logger.warn({ issues: file.error.issues.length }, 'stored cloud ranges do not parse; keeping those in use');
      return;
    }
    this.use(file.data, row.refreshed_at);
  }

  private async refreshOnce(): Promise<number> {
    const now = this.runtime.clock.now();
    const file = await refreshCloudRanges(this.settings.from, this.signatures.cloud.file, now);
    const index = CloudRangeIndex.compile(file);
    const stored = (await this.runtime.dataSource.query(
      `INSERT INTO tracker.cloud_ranges (id, file, refreshed_at) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET file = EXCLUDED.file, refreshed_at = EXCLUDED.refreshed_at
       RETURNING refreshed_at`,
      [JSON.stringify(file), now],
    )) as { refreshed_at: Date }[];
    this.swap(index, stored[0]?.refreshed_at ?? now);
    this.runtime.logger.info({ providers: file.sources.map((s) => `${s.provider} (${s.publishedAt ?? 'undated'})`), intervals: index.intervals }, 'cloud ranges refreshed');
    return 1;
  }

  private use(file: CloudRangesFile, refreshedAt: Date): void {
    try {
      this.swap(CloudRangeIndex.compile(file), refreshedAt);
    } catch (err) {
      this.warn('stored cloud ranges do not compile; keeping those in use', err);
    }
  }

  private swap(index: CloudRangeIndex, refreshedAt: Date): void {
    // The classifier reads `signatures.cloud` on every hit: one assignment swaps it for all.
    this.signatures.cloud = index;
    this.loadedAt = refreshedAt;
  }

  private warn(message: string, err: unknown): void {
    this.runtime.logger.warn({ err: err instanceof Error ? err.message : String(err) }, message);
  }
}
