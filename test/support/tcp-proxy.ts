import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that a test can cut and restore, to make PostgreSQL disappear and come back
 * without touching the shared cluster; or switch to another backend, to put a second service
 * process behind the same address (one PUBLIC_URL, two replicas).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  private readonly held: Array<() => void> = [];
  port = 0;

  constructor(
    private targetHost: string,
    private targetPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Copies bytes one way; while stalled they are held back (the connection stays open). */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (this.stalled) this.held.push(() => to.write(chunk));
      else to.write(chunk);
    });
    from.on('end', () => to.end());
  }

  /**
   * A stalled database: connections (open and new) stay open but no byte passes in either
   * direction until `resume()`, like a network or a server that stops answering.
   */
  stall(): void {
    this.stalled = true;
  }

  /** Lets the held bytes through, in order, and forwards again. */
  resume(): void {
    this.stalled = false;
    for (const send of this.held.splice(0)) send();
  }

  /** Stops listening and drops every open connection. */
  async cut(): Promise<void> {
    this.held.length = 0;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Sends new connections to another backend and drops the open ones (keep-alive included). */
  retarget(host: string, port: number): void {
    this.targetHost = host;
    this.targetPort = port;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    await this.start(this.port);
  }
}
