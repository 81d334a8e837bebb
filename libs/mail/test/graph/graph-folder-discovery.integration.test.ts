import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startGraphTestServer, type GraphTestServer } from '@telltale/testing';
import { createGraphClient, GraphChangeSource, type InboundMessage, type MailboxChangeSource } from '../../src';

const REP = 'rep@contoso.test';
const MINUTE = 60_000;

function rfc822(from: string, subject: string, messageId: string): string {
  return [`From: ${from}`, `To: ${REP}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', 'hello', ''].join('\r\n');
}

async function drain(source: MailboxChangeSource, cursor: string | null, seen: InboundMessage[]): Promise<string> {
  let current = cursor;
  for (let i = 0; i < 100; i += 1) {
    const page = await source.changesSince(current);
    seen.push(...page.messages);
    current = page.cursor;
    if (!page.hasMore) return current;
  }
  throw new Error('too many pages');
}

const folderIds = (cursor: string): string[] => Object.keys((JSON.parse(cursor) as { folders: Record<string, unknown> }).folders);
const arrivals = (seen: InboundMessage[]): [string | null | undefined, string | undefined][] => seen.map((m) => [m.messageId, m.folder]);

describe('Microsoft Graph: folders created, moved and deleted after the cursor was built', () => {
  let graph: GraphTestServer;
  let token: string;
  let clock: Date;

  before(async () => {
    graph = await startGraphTestServer({ emailAddress: REP, pageSize: 3 });
    token = graph.issueGrant().accessToken;
  });
  after(async () => {
    await graph.close();
  });

  const client = () => createGraphClient({ tokens: { accessToken: async () => token }, origin: graph.origin, ca: graph.ca });
  const source = () => new GraphChangeSource({ client: client(), origin: graph.origin, pageSize: 3, now: () => clock });
  const advance = (ms: number): void => {
    clock = new Date(clock.getTime() + ms);
  };

  it('a folder and a child folder made after the first sync are followed from the next walk, their mail once, over the recent window only', async () => {
    clock = new Date();
    graph.deliver(rfc822('a@fabrikam.test', 'Hi', '<inbox-1@fabrikam.test>'));
    const first: InboundMessage[] = [];
    let cursor = await drain(source(), null, first);
    assert.deepEqual(arrivals(first), [['<inbox-1@fabrikam.test>', 'Inbox']]);

    // A new rule files replies from Acme into Clients/Acme; the rule's first hit lands before we look.
    graph.createFolder('Clients');
    graph.createFolder('Acme', 'Clients');
    graph.deliver(rfc822('buyer@acme.test', 'Re: Proposal', '<acme-reply-1@acme.test>'), 'Acme');
    graph.deliver(rfc822('ceo@globex.test', 'Re: Intro', '<clients-1@globex.test>'), 'Clients');

    const early: InboundMessage[] = [];
    cursor = await drain(source(), cursor, early);
    assert.deepEqual(early, [], 'the tree is walked at most every 5 minutes');

    advance(5 * MINUTE + 1);
    const noticed: InboundMessage[] = [];
    cursor = await drain(source(), cursor, noticed);
    assert.deepEqual(arrivals(noticed).sort(), [
      ['<acme-reply-1@acme.test>', 'Clients/Acme'],
      ['<clients-1@globex.test>', 'Clients'],
    ]);

    const again: InboundMessage[] = [];
    advance(6 * MINUTE);
    cursor = await drain(source(), cursor, again);
    assert.deepEqual(again, [], 'a folder already followed is not started over at the next walk');

    graph.deliver(rfc822('buyer@acme.test', 'Re: Re: Proposal', '<acme-reply-2@acme.test>'), 'Acme');
    const next: InboundMessage[] = [];
    cursor = await drain(source(), cursor, next);
    assert.deepEqual(arrivals(next), [['<acme-reply-2@acme.test>', 'Clients/Acme']]);

    // The rep moves Acme under the Inbox: same folder id, same delta link, the new path from the next walk.
    const acmeId = folderIds(cursor).find((id) => (JSON.parse(cursor) as { folders: Record<string, { name: string }> }).folders[id]!.name === 'Clients/Acme')!;
    await client().api(`/me/mailFolders/${acmeId}/move`).post({ destinationId: 'inbox' });
    advance(6 * MINUTE);
    graph.deliver(rfc822('buyer@acme.test', 'Re: Re: Re: Proposal', '<acme-reply-3@acme.test>'), 'Acme');
    const moved: InboundMessage[] = [];
    cursor = await drain(source(), cursor, moved);
    assert.deepEqual(arrivals(moved), [['<acme-reply-3@acme.test>', 'Inbox/Acme']], 'nothing already seen comes again after the move');

    // A folder the rep makes for old mail: what it holds is older than the window, so it is not replayed.
    graph.createFolder('Archive 2019');
    graph.deliver(rfc822('old@initech.test', 'Old', '<archive-1@initech.test>'), 'Archive 2019');
    advance(31 * 86_400_000);
    const archived: InboundMessage[] = [];
    cursor = await drain(source(), cursor, archived);
    assert.deepEqual(archived, [], 'a new folder starts with the same recent window as the first sync');
    graph.deliver(rfc822('new@initech.test', 'New', '<archive-2@initech.test>'), 'Archive 2019');
    const later: InboundMessage[] = [];
    await drain(source(), cursor, later);
    assert.deepEqual(arrivals(later), [['<archive-2@initech.test>', 'Archive 2019']]);
  });

  it('a deleted folder drops out of the cursor without a resync: moved to Deleted Items (next walk) or gone for good (its delta 404s)', async () => {
    clock = new Date();
    let cursor = await drain(source(), null, []);
    const tempId = graph.createFolder('Temp');
    const scratchId = graph.createFolder('Scratch', 'Temp');
    const goneId = graph.createFolder('Gone');
    advance(5 * MINUTE);
    cursor = await drain(source(), cursor, []);
    for (const id of [tempId, scratchId, goneId]) assert.ok(folderIds(cursor).includes(id));

    // Gone for good, between two walks: its delta link answers 404 Not Found.
    await client().api(`/me/mailFolders/${goneId}/permanentDelete`).post({});
    graph.deliver(rfc822('a@fabrikam.test', 'Still here', '<inbox-after-delete@fabrikam.test>'));
    const afterPurge: InboundMessage[] = [];
    cursor = await drain(source(), cursor, afterPurge);
    assert.deepEqual(arrivals(afterPurge), [['<inbox-after-delete@fabrikam.test>', 'Inbox']], 'the other folders go on from their delta links');
    assert.ok(!folderIds(cursor).includes(goneId));

    // Deleted in Outlook: the folder and its child go to Deleted Items, which is not followed.
    await client().api(`/me/mailFolders/${tempId}`).delete();
    advance(5 * MINUTE);
    const afterDelete: InboundMessage[] = [];
    cursor = await drain(source(), cursor, afterDelete);
    assert.deepEqual(afterDelete, []);
    assert.ok(!folderIds(cursor).includes(tempId) && !folderIds(cursor).includes(scratchId));
    graph.deliver(rfc822('a@fabrikam.test', 'Binned', '<binned@fabrikam.test>'), 'Scratch');
    const binned: InboundMessage[] = [];
    await drain(source(), cursor, binned);
    assert.deepEqual(binned, []);
  });

  it('a cursor written before folder walks were timed still works and walks the tree at once', async () => {
    clock = new Date();
    const cursor = await drain(source(), null, []);
    const legacy = JSON.parse(cursor) as Record<string, unknown>;
    assert.ok(typeof legacy.discoveredAt === 'string');
    delete legacy.discoveredAt;
    graph.createFolder('Globex');
    graph.deliver(rfc822('buyer@globex.test', 'Re: Quote', '<globex-1@globex.test>'), 'Globex');
    const seen: InboundMessage[] = [];
    const upgraded = await drain(source(), JSON.stringify(legacy), seen);
    assert.deepEqual(arrivals(seen), [['<globex-1@globex.test>', 'Globex']]);
    assert.equal((JSON.parse(upgraded) as { discoveredAt?: string }).discoveredAt, clock.toISOString());
  });
});
