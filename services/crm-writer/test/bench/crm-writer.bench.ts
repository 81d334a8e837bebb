/**
 * `npm run bench:crm`: Salesforce API calls per 1 000 activities, and how long an event takes to be
 * visible in Salesforce, for crm-writer with its production settings against the local Salesforce
 * org (the real jsforce client over HTTP), PostgreSQL and Kafka.
 *
 * A day of an organisation compressed: BENCH_ACTIVITIES (default 1 000) events arrive over
 * BENCH_ARRIVAL_SECONDS (default 120) in a realistic mix — per 1 000: 300 sent emails (sequence steps
 * to 200 prospects, so some get two), 30 human replies, 10 out-of-office, 10 bounces, and 650
 * tracking hits (430 opens and 220 clicks, a third of them machines: proxies, scanners), with 10
 * corrections of "human" clicks that were a scanner's. Prospects: 85 % Contacts (on 25 Accounts),
 * 10 % Leads, 5 % unknown (parked). Five reps, each a Salesforce User.
 *
 * Calls are counted at the Salesforce org (every /services/data request) from the first event until
 * every Task and every roll-up is in Salesforce. Latency: from publishing a sent email or reply to its
 * Task appearing in the org (polled every 50 ms). Settings: the service's defaults, or
 * CRM_WRITE_TICK_MS, CRM_WRITE_BATCH_WINDOW_MS and BENCH_ROLLUP_WINDOW_MS. Prints one JSON object.
 */
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { emailBouncedTopic, emailSentTopic, replyDetectedTopic, trackingEngagementCorrectedTopic, trackingEngagementTopic, type EmailSent } from '@telltale/contracts';
import { CRM_WRITER_SETTINGS, type CrmWriterSettings } from '../../src/activities/crm-writer-settings';
import { CrmEvents, correction, hit, reply, sentEmail } from '../support/crm-events';
import { startCrmWriterUnderTest } from '../support/crm-writer-under-test';

const ACTIVITIES = Number(process.env.BENCH_ACTIVITIES ?? 1000);
const ARRIVAL_SECONDS = Number(process.env.BENCH_ARRIVAL_SECONDS ?? 120);
const ROLLUP_WINDOW_MS = process.env.BENCH_ROLLUP_WINDOW_MS;
const INTEGRATION = { username: 'integration@seller.example', password: 'integration-secret' };
const REPS = Array.from({ length: 5 }, (_, i) => ({ username: `rep${i}@seller.example`, password: 'rep-secret' }));

type Planned = { at: number; kind: 'sent' | 'reply' | 'other'; key?: string; publish: () => Promise<unknown> };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const h = await startCrmWriterUnderTest({
    label: 'bench-crm',
    sandbox: { users: [INTEGRATION, ...REPS], dailyApiAllocation: 1_000_000 },
    config: {
      SALESFORCE_USERNAME: INTEGRATION.username,
      SALESFORCE_PASSWORD: INTEGRATION.password,
      ...(ROLLUP_WINDOW_MS ? { CRM_ROLLUP_WINDOW_MS: ROLLUP_WINDOW_MS } : {}),
      ...(process.env.CRM_WRITE_TICK_MS ? { CRM_WRITE_TICK_MS: process.env.CRM_WRITE_TICK_MS } : {}),
      ...(process.env.CRM_WRITE_BATCH_WINDOW_MS ? { CRM_WRITE_BATCH_WINDOW_MS: process.env.CRM_WRITE_BATCH_WINDOW_MS } : {}),
    },
  });
  const events = await CrmEvents.connect(h.prefix);
  const settings = h.service.app.get<CrmWriterSettings>(CRM_WRITER_SETTINGS);
  try {
    const orgId = randomUUID();
    const scale = ACTIVITIES / 1000;
    const n = (per1000: number) => Math.round(per1000 * scale);
    // The org's people.
    const accounts = Array.from({ length: 25 }, (_, i) => h.sandbox.seed('Account', { Name: `Account ${i}` }));
    const prospects = Array.from({ length: Math.max(1, n(200)) }, (_, i) => `prospect${i}@buyer${i % 25}.example`);
    prospects.forEach((email, i) => {
      const r = i % 20;
      if (r < 17) h.sandbox.seed('Contact', { LastName: `P${i}`, Email: email, AccountId: accounts[i % 25] });
      else if (r < 19) h.sandbox.seed('Lead', { LastName: `P${i}`, Company: `Buyer ${i % 25}`, Email: email });
    });

    // The day's events, in arrival order.
    const plan: Planned[] = [];
    const sends: EmailSent[] = [];
    const span = ARRIVAL_SECONDS * 1000;
    const at = (i: number, of: number, from = 0) => Math.floor(from + ((span - from) * i) / Math.max(1, of));
    for (let i = 0; i < n(300); i += 1) {
      const s = sentEmail(orgId, {
        from: { address: REPS[i % REPS.length]?.username as string, name: null },
        to: [{ address: prospects[i % prospects.length] as string, name: null }],
        sequenceId: '7d1c1f7e-1f0e-4b8e-9c59-3f1a8b0e9a11',
        stepNumber: i < prospects.length ? 1 : 2,
        sentAt: new Date().toISOString(),
      });
      sends.push(s);
      plan.push({ at: at(i, n(300), 0) * 0.6, kind: 'sent', key: `email-sent:${s.sentEmailId}`, publish: () => events.publish(emailSentTopic, s, orgId) });
    }
    const later = (i: number, of: number) => span * 0.3 + at(i, of, 0) * 0.7;
    for (let i = 0; i < n(30); i += 1) {
      const r = reply(sends[(i * 7) % sends.length] as EmailSent);
      plan.push({ at: later(i, n(30)), kind: 'reply', key: `reply:${r.replyId}`, publish: () => events.publish(replyDetectedTopic, r, orgId) });
    }
    for (let i = 0; i < n(10); i += 1) {
      const r = reply(sends[(i * 11 + 3) % sends.length] as EmailSent, { kind: 'auto_reply', returnDate: '2026-03-20' });
      plan.push({ at: later(i, n(10)), kind: 'other', publish: () => events.publish(replyDetectedTopic, r, orgId) });
    }
    for (let i = 0; i < n(10); i += 1) {
      const s = sends[(i * 13 + 5) % sends.length] as EmailSent;
      const b = { bounceId: randomUUID(), orgId, mailboxId: s.mailboxId, sentEmailId: s.sentEmailId, enrollmentId: null, recipient: s.to[0]?.address ?? null, severity: 'hard' as const, statusCode: '5.1.1', diagnostic: 'user unknown', detectedAt: new Date().toISOString() };
      plan.push({ at: later(i, n(10)), kind: 'other', publish: () => events.publish(emailBouncedTopic, b as never, orgId) });
    }
    const hits = [...Array.from({ length: n(430) }, (_, i) => ['opened', i % 3 === 0 ? 'mail_proxy' : 'human'] as const), ...Array.from({ length: n(220) }, (_, i) => ['clicked', i % 3 === 0 ? 'security_scanner' : 'human'] as const)];
    const humanClicks: ReturnType<typeof hit>[] = [];
    hits.forEach(([type, label], i) => {
      const e = hit(sends[(i * 17) % sends.length] as EmailSent, type, label, new Date().toISOString());
      if (type === 'clicked' && label === 'human') humanClicks.push(e);
      plan.push({ at: later(i, hits.length), kind: 'other', publish: () => events.publish(trackingEngagementTopic, e, orgId) });
    });
    for (const e of humanClicks.slice(0, n(10))) plan.push({ at: later(1, 1), kind: 'other', publish: () => events.publish(trackingEngagementCorrectedTopic, correction(e), orgId) });
    plan.sort((a, b) => a.at - b.at);

    // Watch the org for Tasks appearing.
    const publishedAt = new Map<string, number>();
    const visibleAt = new Map<string, number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const now = performance.now();
        for (const t of h.sandbox.records('Task')) {
          const key = String(t.Telltale_Activity_Key__c);
          if (!visibleAt.has(key)) visibleAt.set(key, now);
        }
        await delay(50);
      }
    })();

    const callsBefore = h.sandbox.requests.filter((r) => r.path.startsWith('/services/data/v')).length;
    const start = performance.now();
    for (const p of plan) {
      const wait = start + p.at - performance.now();
      if (wait > 0) await delay(wait);
      if (p.key) publishedAt.set(p.key, performance.now());
      await p.publish();
    }
    const published = performance.now();
    // Done: every activity written or parked, every roll-up of a written Task in Salesforce.
    for (;;) {
      const [state] = await h.sql<{ waiting: number; rollups: number; total: number }>(
        `SELECT (SELECT count(*)::int FROM crm_writer.crm_activity WHERE org_id = $1 AND state = 'pending') AS waiting,
                (SELECT count(*)::int FROM crm_writer.crm_activity WHERE org_id = $1) AS total,
                (SELECT count(*)::int FROM crm_writer.task_rollup r JOIN crm_writer.crm_activity a ON a.kind = 'email_sent' AND a.sent_email_id = r.sent_email_id AND a.state = 'written'
                   WHERE r.org_id = $1 AND r.version > r.written_version) AS rollups`,
        [orgId],
      );
      if (state && state.total === n(300) + n(30) && state.waiting === 0 && state.rollups === 0) break;
      if (performance.now() - published > 10 * 60_000) throw new Error(`not done after 10 minutes: ${JSON.stringify(state)}`);
      await delay(100);
    }
    const done = performance.now();
    watching = false;
    await watcher;
    const calls = h.sandbox.requests.filter((r) => r.path.startsWith('/services/data/v')).slice(callsBefore);
    const byOperation: Record<string, number> = {};
    for (const c of calls) {
      const op = `${c.method} ${c.path.replace(/^\/services\/data\/v[\d.]+/, '').replace(/\/[0-9A-Za-z]{15,18}$/, '/{id}')}`;
      byOperation[op] = (byOperation[op] ?? 0) + 1;
    }
    const latencies = [...publishedAt].flatMap(([key, t]) => (visibleAt.has(key) ? [(visibleAt.get(key) as number) - t] : [])).sort((a, b) => a - b);
    const states = await h.sql<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM crm_writer.crm_activity WHERE org_id = $1 GROUP BY state ORDER BY state`, [orgId]);
    const [rollup] = await h.sql<{ opens: number; clicks: number }>(`SELECT sum(human_opens)::int AS opens, sum(human_clicks)::int AS clicks FROM crm_writer.task_rollup WHERE org_id = $1`, [orgId]);
    const taskOpens = h.sandbox.records('Task').reduce((sum, t) => sum + Number(t.Telltale_Opens__c ?? 0), 0);
    process.stdout.write(
      `${JSON.stringify(
        {
          activities: plan.length,
          arrivalSeconds: ARRIVAL_SECONDS,
          settings: { batchWindowMs: settings.batchWindowMs, tickMs: settings.tickMs, rollupWindowMs: settings.rollupWindowMs },
          salesforceCalls: calls.length,
          callsPer1000Activities: Math.round((calls.length / plan.length) * 1000 * 10) / 10,
          callsByOperation: byOperation,
          eventToVisibleMs: { tasks: latencies.length, p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies.at(-1) ?? NaN) },
          activityStates: Object.fromEntries(states.map((s) => [s.state, s.n])),
          rollups: { humanOpens: rollup?.opens, humanClicks: rollup?.clicks, opensOnTasks: taskOpens },
          lastEventToAllDoneMs: Math.round(done - published),
          loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await events.stop();
    await h.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:crm failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
