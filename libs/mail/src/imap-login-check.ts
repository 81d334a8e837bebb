import type { ConnectionOptions } from 'node:tls';

import { ImapFlow } from 'imapflow';

import { mapImapError } from './imap-error-mapper';
import type { ListedFolder } from './imap-folder-selection';
import type { MailServerAddress } from './imap-mailbox-follower';
import { MailProviderError } from './mail-provider-error';

export interface ImapLoginCheckOptions {
  server: MailServerAddress;
  port: number;
  secure: boolean;
  auth: { user: string; pass: string };
  /** The whole check (connection, TLS, greeting, login) answers within this, or fails TEMPORARY. */
  timeoutMs: number;
  tls?: ConnectionOptions;
}

/**
 * Logs in once and out again, reading nothing: whether this server and these credentials will do
 * for following the mailbox. Throws the MailProviderError the follower would have met (AUTH_REVOKED
 * for refused credentials, TEMPORARY for a server that cannot be reached or did not answer in time).
 */
export async function checkImapLogin(options: ImapLoginCheckOptions): Promise<void> {
  await withImapSession(options, async () => undefined);
}

/**
 * What a LIST says the mailbox holds, on a short connection of its own (logged in, listed, logged
 * out), within the same time and with the same errors as checkImapLogin.
 */
export function listImapFolders(options: ImapLoginCheckOptions): Promise<ListedFolder[]> {
  return withImapSession(options, async (client) =>
    (await client.list()).map((folder) => ({ path: folder.path, name: folder.name, flags: folder.flags, specialUse: folder.specialUse || undefined })),
  );
}

/** One short IMAP session: connect and log in, `work`, log out; every step within `timeoutMs`, errors mapped. */
async function withImapSession<T>(options: ImapLoginCheckOptions, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: options.server.host,
    ...(options.server.servername === undefined ? {} : { servername: options.server.servername }),
    port: options.port,
    secure: options.secure,
    auth: { user: options.auth.user, pass: options.auth.pass },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
  // Errors after the session are the closing connection's; the session's own come from its commands.
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MailProviderError(`IMAP failed: no answer within ${options.timeoutMs} ms`, { code: 'TEMPORARY', provider: 'imap', providerStatus: 'CONNECT_TIMEOUT' })),
      options.timeoutMs,
    );
  });
  try {
    return await Promise.race([client.connect().then(() => work(client)), timedOut]);
  } catch (error) {
    throw mapImapError(error);
  } finally {
    clearTimeout(timer);
    if (client.usable) await Promise.race([client.logout().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    client.close();
  }
}
