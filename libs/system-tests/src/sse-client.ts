/** One Server-Sent Event as received (the fields of the WHATWG event-stream format we use). */
export interface ReceivedSseEvent {
  id: string | null;
  event: string;
  data: string;
  /** performance.now() when its last byte was parsed. */
  receivedAt: number;
}

/**
 * A Server-Sent Events reader over fetch, as EventSource would read the stream (id, event, data,
 * retry, comments), with the request headers a test needs (cookie, Authorization, Last-Event-ID).
 * It does not reconnect by itself: tests reconnect explicitly with `lastEventId`.
 */
export class SseClient {
  readonly events: ReceivedSseEvent[] = [];
  comments = 0;
  retryMs: number | null = null;
  lastEventId: string | null = null;
  /** Resolves when the server ends the stream or close() was called. */
  readonly ended: Promise<void>;
  onEvent: ((e: ReceivedSseEvent) => void) | null = null;
  private readonly abort = new AbortController();

  private constructor(
    readonly response: Response,
    private readonly startReading: (c: SseClient) => Promise<void>,
  ) {
    this.ended = this.startReading(this);
  }

  /** Connects; a response other than 200 text/event-stream is returned as is (`response`), with no events. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const client = new SseClient(response, (c) => c.read(response));
    client.abort.signal.addEventListener('abort', () => abort.abort());
    return client;
  }

  get status(): number {
    return this.response.status;
  }

  feed(kind = 'feed'): ReceivedSseEvent[] {
    return this.events.filter((e) => e.event === kind);
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.ended;
  }

  private async read(response: Response): Promise<void> {
    if (!response.ok || !response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.search(/\r\n\r\n|\n\n|\r\r/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + (buffer.startsWith('\r\n\r\n', end) ? 4 : 2));
          this.parse(block);
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }

  private parse(block: string): void {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    let fields = 0;
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith(':')) {
        this.comments += 1;
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'id') id = value;
      else if (name === 'event') event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'retry') this.retryMs = Number(value);
      else continue;
      if (name !== 'retry') fields += 1;
    }
    if (fields === 0 || data.length === 0) return;
    if (id !== null) this.lastEventId = id;
    const received = { id, event, data: data.join('\n'), receivedAt: performance.now() };
    this.events.push(received);
    this.onEvent?.(received);
  }
}
