import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { emailSentTopic, type EmailSent } from '@telltale/contracts';
import { IdentityTokenIssuer, type StartedService } from '@telltale/runtime';
import { createTestDatabase } from '@telltale/testing';
import { TrackerConfig, startTracker } from '@telltale/tracker';
import { buildClickUrl, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { AppBrowser, requiredEnv, serviceIdentityEnv, startIdentitySystem, type IdentitySystem } from '../../src';
import { EventProducer } from '../../src/event-producer';

export const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface SentForClicks {
  sent: EmailSent;
  /** The tracked URL of link `linkIndex` of the email, on a replica. */
  clickUrl(replica: StartedService, linkIndex: number): string;
}

/**
 * The parts a tracked click crosses on its way to a rep: `replicas` tracker replicas behind one load
 * balancer (the caller stands in for it on loopback: TRUST_PROXY, X-Forwarded-For), in one
 * engagement-store consumer group, and the app (its feed, and its gateway to the tracker's
 * counters) with admin@telltale.test signed in. Emails are "sent" by producing email.sent.v1.
 */
export class TrackedClicksSystem {
  private constructor(
    readonly replicas: StartedService[],
    readonly app: IdentitySystem,
    readonly admin: AppBrowser,
    readonly db: Client,
    private readonly producer: EventProducer,
    private readonly keys: ReturnType<typeof parseSigningKeys>,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(replicaCount: number, logLevelName = 'warn', trackerEnv: Record<string, string> = {}): Promise<TrackedClicksSystem> {
    const database = await createTestDatabase(requiredEnv('DATABASE_URL'));
    const prefix = `clicks-${randomBytes(4).toString('hex')}.`;
    const signing = await IdentityTokenIssuer.generate('telltale-app');
    const keySpec = `t1:${randomBytes(32).toString('base64')}`;
    const replicas: StartedService[] = [];
    const spills: string[] = [];
    let app: IdentitySystem | null = null;
    let producer: EventProducer | null = null;
    const db = new Client({ connectionString: database.url });
    const cleanup = async () => {
      await producer?.stop();
      await app?.stop();
      for (const r of replicas) await r.stop();
      await db.end().catch(() => undefined);
      await database.drop();
      for (const dir of spills) rmSync(dir, { recursive: true, force: true });
    };
    try {
      await db.connect();
      for (let n = 1; n <= replicaCount; n++) {
        spills.push(join(tmpdir(), `tracker-spill-${prefix}${n}`));
        const config = TrackerConfig.parse({
          ...serviceIdentityEnv(signing),
          DATABASE_URL: database.url,
          KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
          KAFKA_TOPIC_PREFIX: prefix,
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: logLevelName,
          TRACKING_SIGNING_KEYS: keySpec,
          TRUST_PROXY: 'loopback',
          TRACKER_SPILL_DIR: spills[n - 1],
          ...trackerEnv,
        });
        replicas.push(await startTracker(config));
      }
      app = await startIdentitySystem({ databaseUrl: database.url, kafkaBrokers: requiredEnv('KAFKA_BROKERS'), topicPrefix: prefix, signing, upstreams: { tracker: replicas[0]!.url } });
      producer = new EventProducer(new Kafka({ clientId: 'clicks-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }), prefix);
      await producer.start();
      const admin = new AppBrowser(app.app.url);
      assert.equal((await admin.signIn('admin@telltale.test')).status, 302);
      return new TrackedClicksSystem(replicas, app, admin, db, producer, parseSigningKeys(keySpec), cleanup);
    } catch (err) {
      await cleanup().catch(() => undefined);
      throw err;
    }
  }

  /** An email to Kevin Flynn sent `sentSecondsAgo` ago (an hour: "click before any open" does not apply) with `links` tracked links. */
  async sendEmail(links: number, sentSecondsAgo = 3_600): Promise<SentForClicks> {
    const id = randomUUID();
    const sentAt = new Date(Date.now() - sentSecondsAgo * 1000);
    const orgId = this.app.orgId;
    const sent: EmailSent = {
      sentEmailId: id,
      sendRequestId: randomUUID(),
      orgId,
      mailboxId: randomUUID(),
      enrollmentId: null,
      sequenceId: null,
      stepNumber: null,
      messageId: `<${id}@telltale.test>`,
      providerMessageId: null,
      providerThreadId: null,
      from: { address: 'admin@telltale.test', name: 'Admin' },
      to: [{ address: 'flynn@encom.example', name: 'Kevin Flynn' }],
      cc: [],
      subject: 'The Grid',
      tracking: { opens: true, clicks: true, trackedLinks: links },
      sentAt: sentAt.toISOString(),
    };
    await this.producer.produce(emailSentTopic, sent, orgId);
    const keys = this.keys;
    return {
      sent,
      clickUrl: (replica, linkIndex) =>
        buildClickUrl(replica.url, signTrackingToken({ kind: 'click', orgId, sentEmailId: id, linkIndex, url: `https://encom.example/page/${linkIndex}`, issuedAt: sentAt }, keys)),
    };
  }

  /** A click as the load balancer passes it on: the client's address in X-Forwarded-For. */
  async click(url: string, clientAddress: string, userAgent = CHROME_UA): Promise<void> {
    const res = await fetch(url, { headers: { 'user-agent': userAgent, 'x-forwarded-for': clientAddress }, redirect: 'manual' });
    assert.equal(res.status, 302);
    await res.arrayBuffer();
  }

  stop(): Promise<void> {
    return this.cleanup();
  }
}
