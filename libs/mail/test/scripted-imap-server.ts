import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A minimal IMAP server that answers LOGIN with a scripted response, so the real imapflow client can
 * be driven into failures GreenMail does not produce (GreenMail accepts any login in our setup).
 */
export class ScriptedImapServer {
  connections = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly loginResponse: string) {
    this.server = createServer((socket) => this.handle(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(socket: Socket): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('* OK [CAPABILITY IMAP4rev1] scripted server ready\r\n');
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let newline = buffer.indexOf('\r\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        this.answer(socket, line);
        newline = buffer.indexOf('\r\n');
      }
    });
  }

  private answer(socket: Socket, line: string): void {
    const [tag = '*', command = ''] = line.split(' ');
    switch (command.toUpperCase()) {
      case 'CAPABILITY':
        socket.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK CAPABILITY completed\r\n`);
        return;
      case 'LOGIN':
        socket.write(`${tag} ${this.loginResponse}\r\n`);
        return;
      case 'LOGOUT':
        socket.end(`* BYE logging out\r\n${tag} OK LOGOUT completed\r\n`);
        return;
      default:
        socket.write(`${tag} BAD unexpected command\r\n`);
    }
  }
}
