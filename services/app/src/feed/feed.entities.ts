import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** app.feed_item (migration Feed1765400000000); read and written with SQL by FeedStore. */
@Entity({ name: 'feed_item' })
export class FeedItem {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'event_id', unique: true }) eventId!: string;
  @Column('uuid', { name: 'source_id' }) sourceId!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('text') kind!: string;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('uuid', { name: 'owner_user_id', nullable: true }) ownerUserId!: string | null;
  @Column('uuid', { name: 'mailbox_id', nullable: true }) mailboxId!: string | null;
  @Column('uuid', { name: 'sequence_id', nullable: true }) sequenceId!: string | null;
  @Column('uuid', { name: 'enrollment_id', nullable: true }) enrollmentId!: string | null;
  @Column('uuid', { name: 'sent_email_id', nullable: true }) sentEmailId!: string | null;
  @Column('text', { name: 'person_address', nullable: true }) personAddress!: string | null;
  @Column('text', { name: 'person_name', nullable: true }) personName!: string | null;
  @Column('text', { nullable: true }) company!: string | null;
  @Column('boolean') machine!: boolean;
  @Column('text', { name: 'machine_reasons', array: true }) machineReasons!: string[];
  @Column('jsonb') detail!: Record<string, unknown>;
  @Column('text') summary!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

/** Who owns each mailbox (mailbox.connection-changed.v1's ownerUserId). */
@Entity({ name: 'feed_mailbox' })
export class FeedMailbox {
  @PrimaryColumn('uuid', { name: 'mailbox_id' }) mailboxId!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('uuid', { name: 'owner_user_id', nullable: true }) ownerUserId!: string | null;
  @Column('text', { name: 'email_address' }) emailAddress!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/** What each sent email was (email.sent.v1), for the opens, clicks, replies and bounces that name only its id. */
@Entity({ name: 'feed_sent_email' })
export class FeedSentEmail {
  @PrimaryColumn('uuid', { name: 'sent_email_id' }) sentEmailId!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('uuid', { name: 'mailbox_id' }) mailboxId!: string;
  @Column('uuid', { name: 'sequence_id', nullable: true }) sequenceId!: string | null;
  @Column('uuid', { name: 'enrollment_id', nullable: true }) enrollmentId!: string | null;
  @Column('text') subject!: string;
  @Column('text', { name: 'to_address' }) toAddress!: string;
  @Column('text', { name: 'to_name', nullable: true }) toName!: string | null;
  @Column('integer', { name: 'human_opens' }) humanOpens!: number;
  @Column('timestamptz', { name: 'sent_at' }) sentAt!: Date;
}

/** An event that arrived before the one it depends on (an open before its email's sent event). */
@Entity({ name: 'feed_pending' })
export class FeedPending {
  @PrimaryColumn('uuid', { name: 'event_id' }) eventId!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('text', { name: 'waits_for' }) waitsFor!: string;
  @Column('text') topic!: string;
  @Column('jsonb') payload!: unknown;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

export const feedEntities = [FeedItem, FeedMailbox, FeedSentEmail, FeedPending];
