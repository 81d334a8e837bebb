import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { MailProviderError, SmtpMailTransport, composeOutboundMessage } from '../src';

describe('SmtpMailTransport without a mail server', () => {
  it('reports an unreachable server as a TEMPORARY MailProviderError', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const transport = new SmtpMailTransport({ host: '127.0.0.1', port, secure: false, connectionTimeoutMs: 2_000 });
    const composed = await composeOutboundMessage({
      from: { address: 'rep@telltale.test', name: null },
      to: [{ address: 'p@example.com', name: null }],
      cc: [],
      subject: 's',
      html: null,
      text: 't',
      messageIdDomain: 'telltale.test',
    });
    await assert.rejects(
      transport.send({ raw: composed.raw, envelope: composed.envelope }),
      (error: unknown) => error instanceof MailProviderError && error.code === 'TEMPORARY' && error.provider === 'smtp',
    );
    transport.close();
  });

  it('refuses a raw message without Message-ID as PERMANENT', async () => {
    const transport = new SmtpMailTransport({ host: '127.0.0.1', port: 1, secure: false });
    await assert.rejects(
      transport.send({ raw: Buffer.from('From: a@b.c\r\n\r\nx'), envelope: { from: 'a@b.c', to: ['d@e.f'] } }),
      (error: unknown) => error instanceof MailProviderError && error.code === 'PERMANENT',
    );
    transport.close();
  });
});
