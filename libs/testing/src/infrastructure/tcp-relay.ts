import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a real server (a mail server, say), for tests of what a
 * client does when the network fails: dropAll() cuts every open connection without a goodbye (a
 * NAT timeout, a crash), down() also refuses new ones until up() listens again on the same port
 * (the server or the network gone for a while). The server behind it keeps running, mail and all.
 */
export class TcpRelay {
  /** Connections accepted so far. */
  connections = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private listeningPort = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpRelay> {
    const relay = new TcpRelay(targetHost, targetPort);
    await relay.up();
    return relay;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Listens (again, on the same port once it had one). */
  async up(): Promise<void> {
    if (this.server !== null) return;
    const server = createServer((client) => {
      this.connections += 1;
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listeningPort, '127.0.0.1', () => resolve());
    });
    this.listeningPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Cuts every open connection; new ones are still accepted. */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Cuts every open connection and refuses new ones until up(). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropAll();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stop(): Promise<void> {
    return this.down();
  }
}
