import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { ImapMailboxFollower, InMemoryImapCursorStore, MailProviderError } from '../src';
import { ScriptedImapServer } from './scripted-imap-server';
import { liveHandles, waitFor } from './wait-for';

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ImapMailboxFollower without a mail server', () => {
  it('gives up at once when the server refuses the credentials (RFC 5530 AUTHENTICATIONFAILED)', async () => {
    const server = new ScriptedImapServer('NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)');
    const port = await server.listen();
    const errors: MailProviderError[] = [];
    const follower = new ImapMailboxFollower({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: 'rep@telltale.test', pass: 'revoked' },
      cursorStore: new InMemoryImapCursorStore(),
      onMessage: async () => undefined,
      onError: (error) => errors.push(error),
      reconnectBackoff: { minMs: 10, maxMs: 20 },
    });
    try {
      await assert.rejects(follower.start(), (error: unknown) => error instanceof MailProviderError && error.code === 'AUTH_REVOKED');
      assert.equal(follower.state, 'failed');
      assert.deepEqual(errors.map((error) => [error.code, error.provider]), [['AUTH_REVOKED', 'imap']]);
      assert.equal(server.connections, 1, 'a revoked credential must not be retried');
    } finally {
      await follower.stop();
      await server.close();
    }
  });

  it('keeps reconnecting with backoff while the server is unreachable, and stops cleanly', async () => {
    const before = liveHandles();
    const port = await unusedPort();
    const errors: MailProviderError[] = [];
    const follower = new ImapMailboxFollower({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: 'rep@telltale.test', pass: 'x' },
      cursorStore: new InMemoryImapCursorStore(),
      onMessage: async () => undefined,
      onError: (error) => errors.push(error),
      reconnectBackoff: { minMs: 10, maxMs: 40 },
      random: () => 0.5,
    });
    let startSettled = false;
    const started = follower.start().then(() => {
      startSettled = true;
    });
    await waitFor(() => errors.length >= 3, 'three failed connection attempts');
    assert.ok(errors.every((error) => error.code === 'TEMPORARY'));
    assert.equal(startSettled, false, 'start() waits for the first catch-up');
    await follower.stop();
    await started;
    assert.equal(follower.state, 'stopped');
    await waitFor(() => {
      const after = liveHandles();
      return after.sockets <= before.sockets && after.timers <= before.timers;
    }, 'no sockets or timers left after stop()');
  });

  it('refuses to start twice', async () => {
    const port = await unusedPort();
    const follower = new ImapMailboxFollower({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: 'a', pass: 'b' },
      cursorStore: new InMemoryImapCursorStore(),
      onMessage: async () => undefined,
      reconnectBackoff: { minMs: 10, maxMs: 10 },
    });
    const first = follower.start();
    await assert.rejects(follower.start(), /already started/);
    await follower.stop();
    await first;
  });
});
