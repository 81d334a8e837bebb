import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional-outbox and processed-event tables every service needs (docs/architecture.md, Reliability).
 * Returned as a class so each service lists it among its own migrations, in its own schema.
 */
export function messagingTablesMigration(schema: string): new () => MigrationInterface {
  return class MessagingTables1764230400000 implements MigrationInterface {
    name = 'MessagingTables1764230400000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE "${schema}".outbox (
          seq          bigserial PRIMARY KEY,
          event_id     uuid NOT NULL UNIQUE,
          topic        text NOT NULL,
          message_key  text NOT NULL,
          payload      jsonb NOT NULL,
          headers      jsonb NOT NULL,
          created_at   timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz,
          attempts     integer NOT NULL DEFAULT 0,
          last_error   text
        )`);
      await q.query(`CREATE INDEX outbox_unpublished ON "${schema}".outbox (seq) WHERE published_at IS NULL`);
      // Wakes the relay at commit time instead of waiting for its next poll.
      await q.query(`
        CREATE FUNCTION "${schema}".outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('${schema}_outbox', ''); RETURN NULL; END $$`);
      await q.query(`
        CREATE TRIGGER outbox_notify AFTER INSERT ON "${schema}".outbox
        FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".outbox_notify()`);
      await q.query(`
        CREATE TABLE "${schema}".processed_event (
          consumer     text NOT NULL,
          event_id     uuid NOT NULL,
          topic        text NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, event_id)
        )`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}".processed_event`);
      await q.query(`DROP TABLE "${schema}".outbox`);
      await q.query(`DROP FUNCTION "${schema}".outbox_notify()`);
    }
  };
}
