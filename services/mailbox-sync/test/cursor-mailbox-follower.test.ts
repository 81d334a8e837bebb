import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MailProviderError, type InboundMessage, type MailboxChangePage, type MailboxChangeSource, type MailProviderErrorCode } from '@telltale/mail';
import { CursorMailboxFollower } from '../src/sync/cursor-mailbox-follower';

const quiet = { info: () => undefined, warn: () => undefined };
const message = (id: string): InboundMessage => ({ providerMessageId: id }) as InboundMessage;

/** A source that plays a script: each call takes the next step (a page or an error code). */
function scripted(steps: (MailboxChangePage | MailProviderErrorCode)[], calls: (string | null)[]): MailboxChangeSource {
  return {
    provider: 'gmail',
    changesSince: async (cursor) => {
      calls.push(cursor);
      const step = steps.shift();
      if (step === undefined) return { messages: [], cursor: cursor ?? 'c-empty', hasMore: false };
      if (typeof step === 'string') throw new MailProviderError(step, { code: step, provider: 'gmail' });
      return step;
    },
  };
}

function follower(source: MailboxChangeSource, state: { cursor: string | null; recorded: string[]; reconnect: string[]; unreadable?: string[] }, failOnRecord?: string): CursorMailboxFollower {
  return new CursorMailboxFollower({
    source,
    loadCursor: async () => state.cursor,
    saveCursor: async (c) => {
      state.cursor = c;
    },
    record: async (m) => {
      if (m.providerMessageId === failOnRecord) throw new Error('crash while recording');
      state.recorded.push(m.providerMessageId);
    },
    recordUnreadable: async (m) => {
      if (m.providerMessageId === failOnRecord) throw new Error('crash while recording');
      state.unreadable?.push(`${m.providerMessageId}: ${m.reason}`);
    },
    onReconnectNeeded: async (reason) => {
      state.reconnect.push(reason);
    },
    pollIntervalMs: 3_600_000,
    backoff: { minMs: 3_600_000, maxMs: 3_600_000 },
    logger: quiet,
    random: () => 0,
  });
}

describe('CursorMailboxFollower', () => {
  it('drains every page, saving the cursor only after its messages are recorded', async () => {
    const calls: (string | null)[] = [];
    const state = { cursor: null as string | null, recorded: [] as string[], reconnect: [] as string[] };
    const f = follower(scripted([{ messages: [message('a'), message('b')], cursor: 'p1', hasMore: true }, { messages: [message('c')], cursor: 'h1', hasMore: false }], calls), state);
    await f.start();
    await f.stop();
    assert.deepEqual(calls, [null, 'p1']);
    assert.deepEqual(state.recorded, ['a', 'b', 'c']);
    assert.equal(state.cursor, 'h1');
  });

  it('a crash mid-page leaves the old cursor, so the restart repeats the page (dedupe absorbs it) and misses nothing', async () => {
    const state = { cursor: 'h0' as string | null, recorded: [] as string[], reconnect: [] as string[] };
    const page = { messages: [message('a'), message('b')], cursor: 'h1', hasMore: false };
    const first = follower(scripted([page], []), state, 'b');
    await first.start();
    await first.stop();
    assert.equal(state.cursor, 'h0');
    const calls: (string | null)[] = [];
    const second = follower(scripted([page], calls), state);
    await second.start();
    await second.stop();
    assert.deepEqual(calls, ['h0']);
    assert.deepEqual(state.recorded, ['a', 'a', 'b']);
    assert.equal(state.cursor, 'h1');
  });

  it('records an unreadable message and moves the cursor past it; a crash recording it repeats the page', async () => {
    const state = { cursor: 'h0' as string | null, recorded: [] as string[], reconnect: [] as string[], unreadable: [] as string[] };
    const page: MailboxChangePage = { messages: [message('a')], unreadable: [{ providerMessageId: 'bad', folder: 'INBOX', reason: 'input has no header fields' }], cursor: 'h1', hasMore: false };
    const first = follower(scripted([page], []), state, 'bad');
    await first.start();
    await first.stop();
    assert.equal(state.cursor, 'h0');
    const second = follower(scripted([page], []), state);
    await second.start();
    await second.stop();
    assert.deepEqual(state.unreadable, ['bad: input has no header fields']);
    assert.equal(state.cursor, 'h1');
  });

  it('an expired cursor triggers one full resync, not a crash loop', async () => {
    const calls: (string | null)[] = [];
    const state = { cursor: 'old' as string | null, recorded: [] as string[], reconnect: [] as string[] };
    const f = follower(scripted(['CURSOR_EXPIRED', { messages: [message('x')], cursor: 'fresh', hasMore: false }], calls), state);
    await f.start();
    await f.stop();
    assert.deepEqual(calls, ['old', null]);
    assert.equal(state.cursor, 'fresh');

    const looping: (string | null)[] = [];
    const g = follower(scripted(['CURSOR_EXPIRED', 'CURSOR_EXPIRED', 'CURSOR_EXPIRED'], looping), { cursor: 'old', recorded: [], reconnect: [] });
    await g.start();
    await g.stop();
    assert.equal(looping.length, 2, 'a second expiry in one run waits for the backoff');
  });

  const stopCases: { code: MailProviderErrorCode; reconnects: boolean }[] = [
    { code: 'AUTH_REVOKED', reconnects: true },
    { code: 'INSUFFICIENT_PERMISSIONS', reconnects: true },
    { code: 'TEMPORARY', reconnects: false },
    { code: 'RATE_LIMITED', reconnects: false },
    { code: 'PERMANENT', reconnects: false },
  ];
  for (const c of stopCases) {
    it(`${c.code} ${c.reconnects ? 'asks for a reconnect and stops' : 'keeps the cursor and keeps following'}`, async () => {
      const state = { cursor: 'h5' as string | null, recorded: [] as string[], reconnect: [] as string[] };
      const f = follower(scripted([c.code], []), state);
      await f.start();
      assert.equal(f.isStopped, c.reconnects);
      assert.equal(state.reconnect.length, c.reconnects ? 1 : 0);
      assert.equal(state.cursor, 'h5');
      await f.stop();
    });
  }

  it('coalesces triggers that arrive during a run into one more run', async () => {
    const calls: (string | null)[] = [];
    const state = { cursor: 'h0' as string | null, recorded: [] as string[], reconnect: [] as string[] };
    const f = follower(scripted([], calls), state);
    await Promise.all([f.trigger(), f.trigger(), f.trigger(), f.trigger()]);
    await f.stop();
    assert.equal(calls.length, 2);
  });
});
