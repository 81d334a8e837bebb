import type { ConnectionOptions } from 'node:tls';

import { ImapFlow } from 'imapflow';

import { mapImapError } from './imap-error-mapper';
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
  // Errors after the check are the closing connection's; the check's own come from connect().
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MailProviderError(`IMAP failed: no answer within ${options.timeoutMs} ms`, { code: 'TEMPORARY', provider: 'imap', providerStatus: 'CONNECT_TIMEOUT' })),
      options.timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(), timedOut]);
  } catch (error) {
    throw mapImapError(error);
  } finally {
    clearTimeout(timer);
    if (client.usable) await Promise.race([client.logout().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    client.close();
  }
}
