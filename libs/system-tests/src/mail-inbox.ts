import { ImapFlow } from 'imapflow';
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
