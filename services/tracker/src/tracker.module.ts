import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { parseSigningKeys } from '@telltale/tracking';
import { EmailActivityWindow } from './classification/email-activity-window';
import { CLOUD_RANGES_REFRESH, CloudRangesRefresh } from './classification/cloud-ranges-refresh';
import { loadHitSignatures } from './classification/hit-signatures';
import { OpenHistory } from './classification/open-history';
import { logSignatureFreshness } from './classification/signature-freshness';
import { TRACKER_APP_ORIGINS } from './devices/app-origins';
import { DeviceDirectory } from './devices/device-directory';
import { DevicesController } from './devices/devices.controller';
import { DevicesService } from './devices/devices.service';
import { OFFICE_RANGE_LIMITS, OfficeRangesService } from './devices/office-ranges.service';
import { EngagementSummaryController } from './hits/engagement-summary.controller';
import { EngagementSummaryQueries } from './hits/engagement-summary.queries';
import { RecordHitUseCase } from './hits/record-hit.use-case';
import { HitMetrics, registerRecorderMetrics } from './hits/hit-metrics';
import { CLIENT_ADDRESS, HIT_SIGNATURES, TRACKING_KEYS } from './hits/tracker-tokens';
import { TrackingController } from './hits/tracking.controller';
import { UnsubscribeController } from './unsubscribe/unsubscribe.controller';
import { clientAddressResolver, edgeClientAddress } from './hits/client-address';
import { OpenPixelHandler } from './hits/open-pixel.handler';
import { trackingEngagementTopic } from '@telltale/contracts';
import { EngagementStoreConsumer } from './recording/engagement-store';
import { HitRecorder } from './recording/hit-recorder';
import { KafkaHitSink } from './recording/kafka-hit-sink';
import { HitSpill } from './recording/hit-spill';
import type { TrackerConfig } from './tracker.config';
import { DIRECTORY_REFRESH_MS, TrackerLifecycle } from './tracker-lifecycle';

/** One spill folder per database and schema, so two local trackers never replay each other's hits. */
export function defaultSpillDir(config: TrackerConfig): string {
  const id = createHash('sha256').update(`${config.DATABASE_URL}|${config.KAFKA_TOPIC_PREFIX}`).digest('hex').slice(0, 16);
  return join(tmpdir(), 'telltale-tracker-spill', id);
}

@Module({})
export class TrackerModule {
  static forRuntime(runtime: ServiceRuntime, config: TrackerConfig): DynamicModule {
    const signatures = loadHitSignatures(config.TRACKER_SIGNATURES_PATH, config.TRACKER_CLOUD_RANGES_PATH);
    logSignatureFreshness(runtime.logger, signatures, runtime.clock.now(), config.TRACKER_SIGNATURES_MAX_AGE_DAYS);
    const sink = new KafkaHitSink({ brokers: config.KAFKA_BROKERS, clientId: 'telltale-tracker', topic: runtime.topicName(trackingEngagementTopic), logLevel: config.LOG_LEVEL, security: runtime.kafkaSecurity });
    const spill = new HitSpill(config.TRACKER_SPILL_DIR ?? defaultSpillDir(config));
    // Up to 2 000 hits per produce request (ADR 8): with 500, a pixel-only replica's queue was
    // 15 000-18 000 hits behind at the end of each 10 s wrk round, near the 20 000 that go to the spill.
    const recorder = new HitRecorder(sink, spill, runtime.logger.child({ component: 'hit-recorder' }), { maxBatchSize: 2_000 });
    registerRecorderMetrics(runtime.metrics, recorder, spill);
    return {
      module: TrackerModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [TrackingController, UnsubscribeController, DevicesController, EngagementSummaryController, ...(config.TRACKER_ENGAGEMENT_STORE ? [EngagementStoreConsumer] : [])],
      providers: [
        EngagementSummaryQueries,
        { provide: TRACKING_KEYS, useValue: parseSigningKeys(config.TRACKING_SIGNING_KEYS) },
        { provide: HIT_SIGNATURES, useValue: signatures },
        // Behind pixel processes (TRACKER_WORKERS > 1) every request comes from one, which resolved the client.
        { provide: CLIENT_ADDRESS, useValue: config.TRACKER_WORKERS > 1 ? edgeClientAddress : clientAddressResolver(config.TRUST_PROXY) },
        { provide: TRACKER_APP_ORIGINS, useValue: config.TRACKER_APP_ORIGINS },
        { provide: DIRECTORY_REFRESH_MS, useValue: config.TRACKER_DIRECTORY_REFRESH_MS },
        { provide: OFFICE_RANGE_LIMITS, useValue: { minPrefixV4: config.OFFICE_RANGE_MIN_PREFIX_V4, minPrefixV6: config.OFFICE_RANGE_MIN_PREFIX_V6 } },
        { provide: HitRecorder, useValue: recorder },
        { provide: HitMetrics, useValue: new HitMetrics(runtime.metrics) },
        { provide: KafkaHitSink, useValue: sink },
        { provide: EmailActivityWindow, useValue: new EmailActivityWindow(signatures.timing.linkBurstWindowSeconds * 1000) },
        DeviceDirectory,
        OpenHistory,
        DevicesService,
        OfficeRangesService,
        RecordHitUseCase,
        OpenPixelHandler,
        TrackerLifecycle,
        {
          provide: CLOUD_RANGES_REFRESH,
          useValue: { from: config.TRACKER_CLOUD_RANGES_REFRESH_FROM, refreshMs: config.TRACKER_CLOUD_RANGES_REFRESH_HOURS * 3_600_000, reloadMs: config.TRACKER_CLOUD_RANGES_RELOAD_MS },
        },
        CloudRangesRefresh,
      ],
    };
  }
}
