/**
 * GET /events: Server-Sent Events. A new client first gets a `snapshot` (the
 * status, the install and operations in progress); a client that reconnects with
 * Last-Event-ID (header, or `?lastEventId=` from a reloaded page) gets the events
 * it missed instead, when they are still in the history.
 *
 * Events of one tick go out as one write per client. A client that stops reading
 * is dropped once its unsent data passes a bound (it reconnects and replays from
 * the history), so slow clients cannot grow the server's memory; the number of
 * streams is bounded too. One timer sends every client its heartbeat comment.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Snapshot } from '../api.js';
import { jsonWithoutCredentials } from '../redact.js';
import type { BusEvent, EventBus } from './bus.js';

export interface EventStreamOptions {
  bus: EventBus;
  snapshot(): Snapshot;
  heartbeatMs: number;
  /** Streams held at once; more are answered 503. */
  maxClients?: number;
  /** Unsent bytes a client may have queued before it is dropped. */
  maxQueuedBytes?: number;
}

const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private pending: string[] = [];
  private flushScheduled = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxClients: number;
  private readonly maxQueuedBytes: number;
  /** Clients dropped for not reading (tests and benchmarks read it). */
  dropped = 0;

  constructor(private readonly options: EventStreamOptions) {
    this.maxClients = options.maxClients ?? 2000;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 256 * 1024;
    options.bus.subscribe((event) => this.enqueue(event));
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Whether another stream may be opened now. */
  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const { bus, snapshot } = this.options;
    res.writeHead(200, HEADERS);
    // The header on reconnects; the query from a reloaded page, whose EventSource cannot set headers.
    const header = req.headers['last-event-id'];
    const given = typeof header === 'string' && header !== '' ? header : query.get('lastEventId');
    const missed = given ? bus.since(given) : null;
    let opening = 'retry: 2000\n\n';
    if (missed) {
      for (const event of missed) opening += event.frame;
    } else {
      // Its id is the newest event it already reflects, so a reconnect resumes after it. Its
      // parts (the install's events, the operations' lines, the last check) are kept as
      // they came: the credentials in them are removed here, as the bus does for events.
      opening += `id: ${bus.lastId}\nevent: snapshot\ndata: ${jsonWithoutCredentials({ ...snapshot(), ts: Date.now() })}\n\n`;
    }
    res.write(opening);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Sends what is queued, then ends every stream. */
  closeAll(): void {
    clearInterval(this.heartbeat);
    this.flush();
    for (const client of this.clients) client.end();
  }

  private enqueue(event: BusEvent): void {
    this.pending.push(event.frame);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    this.pending = [];
    this.broadcast(chunk);
  }

  private broadcast(chunk: string): void {
    if (this.clients.size === 0) return;
    // One Buffer for everyone: encoded once, however many clients there are.
    const data = Buffer.from(chunk);
    for (const client of this.clients) {
      if (client.writableLength > this.maxQueuedBytes) {
        this.dropped += 1;
        this.clients.delete(client);
        client.destroy();
        continue;
      }
      client.write(data);
    }
  }
}
