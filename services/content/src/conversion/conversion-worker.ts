import { Controller, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { documentConvertedTopic, documentUploadedTopic, type DocumentFileType, type DocumentUploaded } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext, PeriodicPass, ServiceRuntime } from '@telltale/runtime';
import { thumbnailKey } from '../documents/document-library';
import { storageKey, type DocumentStorage } from '../storage/document-storage';
import { ConversionFailed, type DocumentConverter } from './document-converter';

/** Attempts of a job that fails for our own reasons (storage away) before the version is marked failed. */
const MAX_ATTEMPTS = 3;

interface ClaimedJob {
  document_id: string;
  version: number;
  org_id: string;
  attempts: number;
}

/**
 * The conversion worker. Each document.uploaded.v1 queues a job (in the transaction that records
 * the event); the worker takes one job at a time, outside any request or consumer transaction,
 * and converts it. A job whose process died is taken again once twice its time limit has passed.
 */
@Injectable()
export class ConversionWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly pass: PeriodicPass;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly storage: DocumentStorage,
    private readonly converter: DocumentConverter,
    private readonly clock: Clock,
    private readonly settings: { tickMs: number; timeoutMs: number },
  ) {
    this.pass = new PeriodicPass(
      () => this.drain(),
      (err) => runtime.logger.error({ err: (err as Error).message }, 'Conversion pass failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.pass.start(this.settings.tickMs);
  }

  onApplicationShutdown(): Promise<unknown> | void {
    return this.pass.stop();
  }

  /** Converts queued jobs one after another until none is left; returns how many were taken. */
  tick(): Promise<number> {
    return this.pass.run();
  }

  private async drain(): Promise<number> {
    let n = 0;
    for (let job = await this.claim(); job; job = await this.claim()) {
      await this.convert(job);
      n++;
    }
    return n;
  }

  private async claim(): Promise<ClaimedJob | null> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - 2 * this.settings.timeoutMs);
    const claimed = returnedRows<ClaimedJob>(await this.runtime.dataSource.query(
      `UPDATE content.conversion_job j SET started_at = $1, attempts = j.attempts + 1
        WHERE (j.document_id, j.version) = (
          SELECT document_id, version FROM content.conversion_job
           WHERE started_at IS NULL OR started_at < $2 ORDER BY queued_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING j.document_id, j.version, j.org_id, j.attempts`,
      [now, staleBefore],
    ));
    return claimed[0] ?? null;
  }

  private async convert(job: ClaimedJob): Promise<void> {
    const [version] = returnedRows<{ file_type: DocumentFileType }>(await this.runtime.dataSource.query(
      `UPDATE content.document_version SET status = 'converting' WHERE document_id = $1 AND version = $2 AND status IN ('pending', 'converting') RETURNING file_type`,
      [job.document_id, job.version],
    ));
    const fileType = version?.file_type;
    if (!fileType) {
      await this.runtime.dataSource.query(`DELETE FROM content.conversion_job WHERE document_id = $1 AND version = $2`, [job.document_id, job.version]);
      return;
    }
    const started = Date.now();
    try {
      const original = await this.storage.get(storageKey(job.org_id, job.document_id, job.version, 'original'));
      if (!original) throw new ConversionFailed('The uploaded file is missing from storage.');
      const converted = await this.converter.convert(original, fileType);
      await this.storage.put(storageKey(job.org_id, job.document_id, job.version, 'document.pdf'), converted.pdf, 'application/pdf');
      for (const [i, png] of converted.thumbnails.entries()) await this.storage.put(thumbnailKey(job.org_id, job.document_id, job.version, i + 1), png, 'image/png');
      await this.finish(job, { status: 'ready', pageCount: converted.pageCount, text: converted.text, reason: null });
      this.runtime.logger.info({ documentId: job.document_id, version: job.version, pages: converted.pageCount, ms: Date.now() - started }, 'Document converted');
    } catch (err) {
      if (err instanceof ConversionFailed) {
        await this.finish(job, { status: 'failed', pageCount: null, text: null, reason: err.message });
        this.runtime.logger.warn({ documentId: job.document_id, version: job.version, reason: err.message }, 'Document conversion failed');
      } else if (job.attempts >= MAX_ATTEMPTS) {
        await this.finish(job, { status: 'failed', pageCount: null, text: null, reason: 'The document could not be converted after several attempts; upload it again.' });
        this.runtime.logger.error({ documentId: job.document_id, version: job.version, err: (err as Error).message }, 'Document conversion gave up');
      } else {
        // Taken again once the job's lease runs out.
        this.runtime.logger.warn({ documentId: job.document_id, version: job.version, err: (err as Error).message }, 'Document conversion will be retried');
      }
    }
  }

  private async finish(job: ClaimedJob, outcome: { status: 'ready' | 'failed'; pageCount: number | null; text: string | null; reason: string | null }): Promise<void> {
    const now = this.clock.now();
    await this.runtime.dataSource.transaction(async (m) => {
      const updated = returnedRows(await m.query(
        `UPDATE content.document_version
            SET status = $3, page_count = $4, extracted_text = $5, search = CASE WHEN $5::text IS NULL THEN NULL ELSE to_tsvector('simple', $5::text) END,
                failure_reason = $6, converted_at = $7
          WHERE document_id = $1 AND version = $2 RETURNING version`,
        [job.document_id, job.version, outcome.status, outcome.pageCount, outcome.text, outcome.reason, now],
      ));
      await m.query(`DELETE FROM content.conversion_job WHERE document_id = $1 AND version = $2`, [job.document_id, job.version]);
      if (updated.length === 0) return; // Deleted meanwhile.
      await this.runtime.outbox.enqueue(
        m,
        documentConvertedTopic,
        { orgId: job.org_id, documentId: job.document_id, version: job.version, status: outcome.status, pageCount: outcome.pageCount, reason: outcome.reason, convertedAt: now.toISOString() },
        { orgId: job.org_id },
      );
    });
  }
}

/** Kafka's side of the worker: each upload becomes a queued job, in the transaction that records the event. */
@Controller()
export class DocumentUploadedConsumer {
  constructor(
    private readonly worker: ConversionWorker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @EventPattern(documentUploadedTopic.name)
  async onUploaded(@Payload() event: ConsumedEvent<DocumentUploaded>, @Ctx() context: EventContext): Promise<void> {
    const u = event.payload;
    await context.manager.query(
      `INSERT INTO content.conversion_job (document_id, version, org_id, queued_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [u.documentId, u.version, u.orgId, this.clock.now()],
    );
    // The job commits with this event's record; the worker's next pass (or this nudge) takes it.
    setTimeout(() => void this.worker.tick(), 50).unref();
  }
}

/** The rows of an UPDATE … RETURNING (TypeORM answers `[rows, count]` for UPDATE and DELETE). */
function returnedRows<T = unknown>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}
