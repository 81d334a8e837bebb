import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@telltale/db';
import { generateServiceCredential, sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { ContentConfig, startContent } from '@telltale/content';
import { createLogger } from '@telltale/telemetry';
import { CrmWriterConfig, startCrmWriter } from '@telltale/crm-writer';
import { MailboxSyncConfig, startMailboxSync } from '@telltale/mailbox-sync';
import { ReplyDetectorConfig, startReplyDetector } from '@telltale/reply-detector';
import { SenderConfig, startSender } from '@telltale/sender';
import { SequencerConfig, startSequencer } from '@telltale/sequencer';
import { TrackerConfig, startTracker } from '@telltale/tracker';
import { requiredEnv } from './system-api';

export interface SystemOptions {
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  clock: Clock;
  salesforce: { loginUrl: string; clientId: string; clientSecret: string; username: string; password: string };
  logLevel?: string;
  /**
   * Whose identity tokens the services accept (the app's key set: `serviceIdentityEnv` of
   * identity-system.ts); default, the process's LocalIdentity, which tests sign requests with.
   */
  identityEnv?: { IDENTITY_ISSUER: string; IDENTITY_JWKS: string };
  /** More mailbox-sync settings (e.g. the Google and Microsoft OAuth clients). */
  mailboxSyncEnv?: Record<string, string>;
  /** More tracker settings (e.g. TRACKER_APP_ORIGINS, where device registration may send a browser back). */
  trackerEnv?: Record<string, string>;
  /** More crm-writer settings (e.g. SALESFORCE_REDIRECT_URI, the web app's page Salesforce sends admins back to). */
  crmWriterEnv?: Record<string, string>;
  /** More content settings (e.g. CONTENT_DEFAULT_PLAN, CONTENT_SOFFICE_PATH for a test that converts). */
  contentEnv?: Record<string, string>;
}

export interface TelltaleSystem {
  sequencer: StartedService;
  sender: StartedService;
  tracker: StartedService;
  mailboxSync: StartedService;
  replyDetector: StartedService;
  crmWriter: StartedService;
  content: StartedService;
  /**
   * The credentials of the callers content's internal routes name (the tracker's viewer, the app's
   * plan updates), which only the content service is told of here: tests call those routes as them.
   */
  callerCredentials: Record<'tracker' | 'app', string>;
  trackingKeys: string;
  stop(): Promise<void>;
}

/**
 * All seven services in this process, each with its real wiring (the same `start*` functions their
 * `main.ts` use), on ephemeral ports, sharing one clock the test controls.
 */
export async function startTelltaleSystem(options: SystemOptions): Promise<TelltaleSystem> {
  const trackingKeys = `t1:${randomBytes(32).toString('base64')}`;
  const identity = await sharedLocalIdentity();
  const common = {
    ...identity.env(),
    ...options.identityEnv,
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: options.topicPrefix,
    LOG_LEVEL: options.logLevel ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
  };
  const logger = (service: string) => createLogger({ service, level: options.logLevel ?? 'warn' });
  const clock = options.clock;
  const started: StartedService[] = [];
  // Content's files, in a directory of this system's own (its conversions need LibreOffice; starting it does not).
  const contentDir = await mkdtemp(join(tmpdir(), 'telltale-content-'));
  const contentCallers = { tracker: generateServiceCredential('tracker'), app: generateServiceCredential('app') };
  const track = async (s: Promise<StartedService>) => {
    const service = await s;
    started.push(service);
    return service;
  };
  try {
    const sequencer = await track(
      startSequencer(SequencerConfig.parse({ ...common, SEQUENCER_TICK_MS: '0' }), { clock, logger: logger('sequencer') }),
    );
    const mailboxSync = await track(
      startMailboxSync(
        MailboxSyncConfig.parse({
          ...common,
          CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`,
          MAILBOX_FOLDER_POLL_MS: '2000',
          // The suite's GreenMail runs on this machine: an address mailboxes may only use when allowed.
          MAILBOX_HOST_ALLOWLIST: requiredEnv('MAIL_HOST'),
          ...options.mailboxSyncEnv,
        }),
        { clock, logger: logger('mailbox-sync') },
      ),
    );
    const tracker = await track(startTracker(TrackerConfig.parse({ ...common, TRACKING_SIGNING_KEYS: trackingKeys, ...options.trackerEnv }), { clock, logger: logger('tracker') }));
    const sender = await track(
      startSender(
        SenderConfig.parse({
          ...common,
          TRACKING_BASE_URL: tracker.url,
          TRACKING_SIGNING_KEYS: trackingKeys,
          SEQUENCER_URL: sequencer.url,
          MAILBOX_SYNC_URL: mailboxSync.url,
          ...identity.senderEnv(),
        }),
        { clock, logger: logger('sender') },
      ),
    );
    const replyDetector = await track(startReplyDetector(ReplyDetectorConfig.parse(common), { clock, logger: logger('reply-detector') }));
    const crmWriter = await track(
      startCrmWriter(
        CrmWriterConfig.parse({
          ...common,
          SALESFORCE_LOGIN_URL: options.salesforce.loginUrl,
          SALESFORCE_CLIENT_ID: options.salesforce.clientId,
          SALESFORCE_CLIENT_SECRET: options.salesforce.clientSecret,
          SALESFORCE_USERNAME: options.salesforce.username,
          SALESFORCE_PASSWORD: options.salesforce.password,
          // Written at the next pass, not after a production batch window: the test clock stands still.
          CRM_WRITE_BATCH_WINDOW_MS: '0',
          CRM_WRITE_TICK_MS: '100',
          // Organisations connect their own Salesforce; the sandbox stands in for both login hosts.
          SALESFORCE_PRODUCTION_LOGIN_URL: options.salesforce.loginUrl,
          SALESFORCE_SANDBOX_LOGIN_URL: options.salesforce.loginUrl,
          SALESFORCE_REDIRECT_URI: 'http://127.0.0.1:9/settings/salesforce/callback',
          CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`,
          ...options.crmWriterEnv,
        }),
        { clock, logger: logger('crm-writer') },
      ),
    );
    const content = await track(
      startContent(
        ContentConfig.parse({
          ...common,
          INTERNAL_CALLERS: [common.INTERNAL_CALLERS, contentCallers.tracker.entry, contentCallers.app.entry].filter(Boolean).join(','),
          CONTENT_STORAGE: 'filesystem',
          CONTENT_STORAGE_DIR: contentDir,
          ...options.contentEnv,
        }),
        { clock, logger: logger('content') },
      ),
    );
    return {
      sequencer,
      sender,
      tracker,
      mailboxSync,
      replyDetector,
      crmWriter,
      content,
      callerCredentials: { tracker: contentCallers.tracker.credential, app: contentCallers.app.credential },
      trackingKeys,
      stop: async () => {
        for (const s of started.reverse()) await s.stop();
        await rm(contentDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await rm(contentDir, { recursive: true, force: true });
    throw err;
  }
}

/** The seven services by name, for tests that go over all of them. */
export function servicesOf(system: TelltaleSystem): [string, StartedService][] {
  return [
    ['sequencer', system.sequencer],
    ['sender', system.sender],
    ['tracker', system.tracker],
    ['mailbox-sync', system.mailboxSync],
    ['reply-detector', system.replyDetector],
    ['crm-writer', system.crmWriter],
    ['content', system.content],
  ];
}
