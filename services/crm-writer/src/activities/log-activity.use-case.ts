import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { crmActivityLoggedTopic, type EmailSent, type ReplyDetected } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { SalesforceActivityGateway } from '../salesforce/salesforce-activity.gateway';
import type { TaskActivity, WhoMatch } from '../salesforce/salesforce-activity.types';

const isoDate = (iso: string) => iso.slice(0, 10);

/**
 * Logs sent emails and replies as Salesforce Tasks, exactly once per activity key:
 *  - the consumer records the event id in the same transaction (redelivery of one event);
 *  - `activity_log` is keyed by the activity (the same fact arriving as a new event);
 *  - the Task itself is upserted on Task.Telltale_Activity_Key__c, so a crash between Salesforce
 *    accepting and our commit cannot create a second Task on retry.
 */
@Injectable()
export class LogActivityUseCase {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly salesforce: SalesforceActivityGateway,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async emailSent(sent: EmailSent, eventId: string, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO crm_writer.sent_email_ref (sent_email_id, org_id, to_addresses, subject, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [sent.sentEmailId, sent.orgId, sent.to.map((a) => a.address), sent.subject, new Date(sent.sentAt)],
    );
    const recipients = [...sent.to, ...sent.cc].map((a) => a.address).join(', ');
    await this.log(m, 'email.sent', eventId, sent.orgId, [sent.to[0]!.address], {
      activityKey: `email-sent:${sent.sentEmailId}`,
      subject: `Email: ${sent.subject}`,
      description: [`Sent with Telltale from ${sent.from.address} to ${recipients}.`, `Message-ID: ${sent.messageId}`].join('\n'),
      activityDate: isoDate(sent.sentAt),
      status: 'Completed',
      taskSubtype: 'Email',
      ownerEmail: sent.from.address,
    });
  }

  async replyDetected(reply: ReplyDetected, eventId: string, m: EntityManager): Promise<void> {
    // Auto-replies are not replies (docs/architecture.md, Product rules); only human replies become activities.
    if (reply.kind !== 'reply') return;
    const [sent] = (await m.query(`SELECT to_addresses, subject FROM crm_writer.sent_email_ref WHERE sent_email_id = $1`, [reply.sentEmailId])) as {
      to_addresses: string[];
      subject: string;
    }[];
    // Log on the person who replied when Salesforce knows them, else on the prospect emailed.
    const candidates = [reply.from.address, ...(sent?.to_addresses ?? [])];
    await this.log(m, 'reply.detected', eventId, reply.orgId, candidates, {
      activityKey: `reply:${reply.replyId}`,
      subject: `Reply: ${reply.subject ?? sent?.subject ?? '(no subject)'}`.slice(0, 255),
      description: [
        `${reply.from.name ? `${reply.from.name} <${reply.from.address}>` : reply.from.address} replied (${reply.relation}) to an email sent with Telltale.`,
        reply.snippet ? `\n${reply.snippet}` : '',
      ].join(''),
      activityDate: isoDate(reply.receivedAt),
      status: 'Completed',
      taskSubtype: 'Email',
    });
  }

  private async log(
    m: EntityManager,
    sourceEventType: string,
    sourceEventId: string,
    orgId: string,
    whoCandidates: string[],
    activity: Omit<TaskActivity, 'whoEmail'>,
  ): Promise<void> {
    const existing = (await m.query(`SELECT task_id FROM crm_writer.activity_log WHERE activity_key = $1`, [activity.activityKey])) as unknown[];
    if (existing.length > 0) return;
    let who: WhoMatch | null = null;
    let whoEmail = whoCandidates[0]!;
    for (const candidate of whoCandidates) {
      who = await this.salesforce.findWho(candidate);
      if (who) {
        whoEmail = candidate;
        break;
      }
    }
    const task = await this.salesforce.logTask({ ...activity, whoEmail });
    const now = this.clock.now();
    await m.query(
      `INSERT INTO crm_writer.activity_log (activity_key, org_id, source_event_type, source_event_id, task_id, who_id, who_type, logged_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [activity.activityKey, orgId, sourceEventType, sourceEventId, task.taskId, task.whoId, who?.type ?? null, now],
    );
    await this.runtime.outbox.enqueue(
      m,
      crmActivityLoggedTopic,
      {
        orgId,
        activityKey: activity.activityKey,
        sourceEventType,
        crm: 'salesforce',
        sobject: 'Task',
        recordId: task.taskId,
        whoId: task.whoId,
        whoType: task.whoId ? (who?.type ?? null) : null,
        loggedAt: now.toISOString(),
      },
      { orgId, occurredAt: now },
    );
  }
}
