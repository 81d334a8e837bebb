import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import {
  ImapMailboxFollower,
  InMemoryImapCursorStore,
  type ImapCursorStore,
  type ImapMailboxFollowerOptions,
  type InboundMessage,
  type MailProviderError,
} from '../../src';
import { liveHandles, waitFor } from '../wait-for';
import { GreenMailMailbox, uniqueMailbox } from './greenmail-mailbox';
import { mailServerFromEnv } from './mail-server-env';
import { TcpRelay } from '@telltale/testing';

const server = mailServerFromEnv();
const handlesAtStart = liveHandles();

interface Following {
  follower: ImapMailboxFollower;
  received: InboundMessage[];
  errors: MailProviderError[];
}

const running: ImapMailboxFollower[] = [];

function follow(
  mailbox: GreenMailMailbox,
  cursorStore: ImapCursorStore,
  overrides: Partial<ImapMailboxFollowerOptions> = {},
): Following {
  const received: InboundMessage[] = [];
  const errors: MailProviderError[] = [];
  const follower = new ImapMailboxFollower({
    host: server.host,
    port: server.imapPort,
    secure: false,
    auth: { user: mailbox.address, pass: 'any' },
    cursorStore,
    onMessage: async (message) => {
      received.push(message);
    },
    onError: (error) => errors.push(error),
    // Long enough that only IDLE can explain a delivery within the test's wait.
    pollIntervalMs: 10 * 60_000,
    reconnectBackoff: { minMs: 50, maxMs: 400 },
    ...overrides,
  });
  running.push(follower);
  return { follower, received, errors };
}

after(async () => {
  await Promise.all(running.map((follower) => follower.stop()));
});

describe('ImapMailboxFollower against GreenMail', () => {
  it('sees a message sent over SMTP through IDLE, without marking it read', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    await mailbox.messageCount();
    const { follower, received } = follow(mailbox, new InMemoryImapCursorStore());
    await follower.start();
    assert.equal(follower.state, 'following');

    const sent = await mailbox.send('Pushed by IDLE');
    await waitFor(() => received.length === 1, 'the follower to receive the message', 10_000);
    const [message] = received;
    assert.equal(message?.messageId, sent.messageId);
    assert.equal(message?.messageId, sent.composedMessageId);
    assert.equal(message?.subject, 'Pushed by IDLE');
    assert.equal(message?.folder, 'INBOX');
    assert.deepEqual(message?.from, { address: 'sender@prospect.test', name: 'Prospect' });
    assert.match(message?.providerMessageId ?? '', /^imap:\d+:1:INBOX$/);
    assert.ok(!Number.isNaN(Date.parse(message?.receivedAt ?? '')));

    const [stored] = await mailbox.fetchAll();
    assert.ok(!stored?.flags?.has('\\Seen'), 'following must not mark mail as read');
    await follower.stop();
    assert.equal(follower.state, 'stopped');
  });

  it('follows a folder named in a different case than the server spells it', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    await mailbox.messageCount();
    const cursors = new InMemoryImapCursorStore();
    const { follower, received } = follow(mailbox, cursors, { folders: ['inbox'] });
    await follower.start();
    await mailbox.send('lower-case inbox');
    await waitFor(() => received.length === 1, 'an IDLE push for the normalised INBOX path', 10_000);
    assert.equal(received[0]?.folder, 'inbox');
    assert.equal((await cursors.load('inbox'))?.lastUid, 1);
    await follower.stop();
  });

  it('resumes from its cursor after a restart: nothing missed, nothing repeated', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    await mailbox.messageCount();
    const cursors = new InMemoryImapCursorStore();

    const first = follow(mailbox, cursors);
    await first.follower.start();
    for (const n of [1, 2, 3]) await mailbox.send(`before restart ${n}`);
    await waitFor(() => first.received.length === 3, 'the first follower to receive 3 messages');
    await first.follower.stop();

    for (const n of [4, 5]) await mailbox.send(`while stopped ${n}`);
    await waitFor(async () => (await mailbox.messageCount()) === 5, 'both messages to land while nobody follows');

    const second = follow(mailbox, cursors);
    await second.follower.start();
    assert.deepEqual(
      second.received.map((message) => message.subject),
      ['while stopped 4', 'while stopped 5'],
    );
    assert.deepEqual(first.received.map((message) => message.subject), ['before restart 1', 'before restart 2', 'before restart 3']);
    assert.equal((await cursors.load('INBOX'))?.lastUid, 5);
    await second.follower.stop();
  });

  it('finds a message delivered into a second folder with the periodic check', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    await mailbox.createFolder('Replies');
    const cursors = new InMemoryImapCursorStore();
    const { follower, received } = follow(mailbox, cursors, { folders: ['INBOX', 'Replies'], pollIntervalMs: 200 });
    await follower.start();
    assert.notEqual(await cursors.load('Replies'), null, 'the second folder gets a cursor on start');

    const messageId = await mailbox.appendTo('Replies', 'Filed by a server rule');
    await waitFor(() => received.length === 1, 'the periodic check to find the filed message');
    assert.equal(received[0]?.folder, 'Replies');
    assert.equal(received[0]?.messageId, messageId);
    assert.equal((await cursors.load('Replies'))?.lastUid, 1);

    // Back on the first folder, IDLE still works after the folder switch.
    await mailbox.send('Inbox after poll');
    await waitFor(() => received.some((message) => message.subject === 'Inbox after poll'), 'INBOX delivery after a poll');
    assert.deepEqual(
      received.map((message) => [message.folder, message.subject]),
      [
        ['Replies', 'Filed by a server rule'],
        ['INBOX', 'Inbox after poll'],
      ],
    );
    await follower.stop();
  });

  it('reads only new mail on first run, and the window of recent mail after UIDVALIDITY changed', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    await mailbox.send('old 1');
    await mailbox.send('old 2');
    await waitFor(async () => (await mailbox.messageCount()) === 2, 'two messages before anyone follows');

    const fresh = follow(mailbox, new InMemoryImapCursorStore());
    await fresh.follower.start();
    assert.deepEqual(fresh.received, [], 'without a window, existing mail is not read');
    await fresh.follower.stop();

    const stale = new InMemoryImapCursorStore();
    await stale.save('INBOX', { uidValidity: '1', lastUid: 9_999 });
    const reset = follow(mailbox, stale, { initialWindowDays: 2 });
    await reset.follower.start();
    assert.deepEqual(reset.received.map((message) => message.subject), ['old 1', 'old 2']);
    const cursor = await stale.load('INBOX');
    assert.notEqual(cursor?.uidValidity, '1');
    assert.equal(cursor?.lastUid, 2);
    await reset.follower.stop();
  });

  it('reads a window bigger than a page in UID order, skips expunged UIDs, and resumes mid-sync after a stop', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    const subjects = Array.from({ length: 45 }, (_, i) => `bulk ${i + 1}`);
    await mailbox.appendMany('INBOX', subjects);
    // Gaps inside pages and at a page boundary (pages of 7 UIDs): the UID sets sent are not one range.
    const expunged = [5, 6, 13, 14, 30, 45];
    await mailbox.expunge('INBOX', expunged);
    await waitFor(async () => (await mailbox.messageCount()) === 39, 'the expunge to take effect');
    const expected = subjects.filter((_, i) => !expunged.includes(i + 1));
    const cursors = new InMemoryImapCursorStore();

    // First follower: stopped from inside its handler after 20 messages, half-way through a page.
    let stopping: Promise<void> | null = null;
    const first: Following = follow(mailbox, cursors, {
      initialWindowDays: 2,
      pageSize: 7,
      onMessage: async (message) => {
        first.received.push(message);
        if (first.received.length === 20) stopping = first.follower.stop();
      },
    });
    await first.follower.start();
    await stopping;
    assert.equal(first.follower.state, 'stopped');
    assert.deepEqual(first.received.map((message) => message.subject), expected.slice(0, 20));
    const uidOf = (subject: string): number => subjects.indexOf(subject) + 1;
    assert.equal((await cursors.load('INBOX'))?.lastUid, uidOf(expected[19]!), 'the cursor stands on the last handled message');

    // Second follower: resumes from the cursor, pages again, and ends on the highest UID left.
    const second = follow(mailbox, cursors, { initialWindowDays: 2, pageSize: 7 });
    await second.follower.start();
    assert.deepEqual(second.received.map((message) => message.subject), expected.slice(20), 'nothing missed, nothing repeated');
    assert.equal((await cursors.load('INBOX'))?.lastUid, 44);
    await second.follower.stop();
  });

  it('delivers a message again when the handler failed, without advancing the cursor past it', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    await mailbox.messageCount();
    const cursors = new InMemoryImapCursorStore();
    const attempts: string[] = [];
    const { follower, received } = follow(mailbox, cursors, {
      onMessage: async (message) => {
        attempts.push(message.subject ?? '');
        if (attempts.length === 1) throw new Error('database briefly unavailable');
        received.push(message);
      },
    });
    await follower.start();
    await mailbox.send('needs a second try');
    await waitFor(() => received.length === 1, 'redelivery after the handler failed');
    assert.deepEqual(attempts, ['needs a second try', 'needs a second try']);
    assert.equal((await cursors.load('INBOX'))?.lastUid, 1);
    await follower.stop();
  });

  it('reconnects with backoff after the connection drops and catches up', async () => {
    const mailbox = new GreenMailMailbox(server, uniqueMailbox());
    await mailbox.messageCount();
    const proxy = await TcpRelay.start(server.host, server.imapPort);
    const port = proxy.port;
    try {
      const { follower, received, errors } = follow(mailbox, new InMemoryImapCursorStore(), { port });
      await follower.start();
      proxy.dropAll();
      await waitFor(() => errors.length >= 1, 'the follower to notice the dropped connection');
      assert.equal(errors[0]?.code, 'TEMPORARY');
      await mailbox.send('sent while reconnecting');
      await waitFor(() => received.length === 1, 'delivery after reconnect');
      assert.ok(proxy.connections >= 2, 'a new connection was made');
      await waitFor(() => follower.state === 'following', 'following again');
      await follower.stop();
    } finally {
      await proxy.stop();
    }
  });

  it('leaves no sockets or timers behind once every follower stopped', async () => {
    await Promise.all(running.map((follower) => follower.stop()));
    await waitFor(() => {
      const now = liveHandles();
      return now.sockets <= handlesAtStart.sockets && now.timers <= handlesAtStart.timers;
    }, 'sockets and timers back to where they were');
  });
});
