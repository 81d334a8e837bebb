import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { requiredEnv } from './system-api';

/** Every message in a GreenMail user's INBOX (GreenMail accepts any password). */
export async function readInbox(address: string): Promise<{ uid: number; source: Buffer }[]> {
  const client = new ImapFlow({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('IMAP_PORT')), secure: false, auth: { user: address, pass: 'any' }, logger: false });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const out: { uid: number; source: Buffer }[] = [];
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const m of client.fetch('1:*', { uid: true, source: true })) if (m.source) out.push({ uid: m.uid, source: m.source });
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/**
 * The newest message in `address`'s GreenMail inbox whose html contains `marker` (e.g. this run's
 * tracker URL) and that `accept` takes: GreenMail is shared by the whole `npm test` run, so an inbox may hold other tests' mail.
 */
export async function latestMessageWith(address: string, marker: string, accept: (message: ParsedMail) => boolean = () => true): Promise<ParsedMail | undefined> {
  for (const message of (await readInbox(address)).reverse()) {
    const parsed = await simpleParser(message.source);
    if (String(parsed.html ?? '').includes(marker) && accept(parsed)) return parsed;
  }
  return undefined;
}
