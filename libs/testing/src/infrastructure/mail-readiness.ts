import { connect } from 'node:net';

/** Connects, reads the server's first line, and closes. */
export function readGreeting(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffer = '';
    const finish = (error: Error | undefined, line?: string): void => {
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(line ?? '');
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no greeting from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      const end = buffer.indexOf('\r\n');
      if (end >= 0) finish(undefined, buffer.slice(0, end));
    });
    socket.once('end', () => finish(new Error(`${host}:${port} closed the connection before greeting`)));
  });
}

/**
 * Both ports accept and greet: SMTP with 220 (RFC 5321 §4.2) and IMAP with an untagged OK
 * (RFC 9051 §7.1.1 — PREAUTH or BYE would mean the server is not usable for login).
 */
export async function probeMailServer(host: string, smtpPort: number, imapPort: number): Promise<true> {
  const [smtp, imap] = await Promise.all([readGreeting(host, smtpPort, 3_000), readGreeting(host, imapPort, 3_000)]);
  if (!smtp.startsWith('220')) throw new Error(`unexpected SMTP greeting on port ${smtpPort}: ${smtp}`);
  if (!/^\* OK\b/i.test(imap)) throw new Error(`unexpected IMAP greeting on port ${imapPort}: ${imap}`);
  return true;
}
