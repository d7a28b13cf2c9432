/**
 * GET /events: Server-Sent Events. A new client first gets a `snapshot` (the
 * status, the install and operations in progress); a client that reconnects with
 * Last-Event-ID (header, or `?lastEventId=` from a reloaded page) gets the events
 * it missed instead, when they are still in the history.
 *
 * Events go out in sweeps over the clients. Each frame is encoded once, into a log;
 * each client is sent, in one socket write, the part of the log it lacks -- events
 * published during a sweep reach, in it, the clients it has not come to yet, and the
 * others in the next sweep. A sweep yields to the event loop about every
 * millisecond: writing to a thousand sockets takes tens of ms, and an installer line
 * that arrives meanwhile must be read then, not after the last socket. A client that stops reading
 * is dropped once its unsent data passes a bound (it reconnects and replays from
 * the history), so slow clients cannot grow the server's memory; the number of
 * streams is bounded too. The heartbeat comment goes out the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Snapshot } from '../api.js';
import { jsonWithoutCredentials } from '../redact.js';
import type { EventBus } from './bus.js';

export interface EventStreamOptions {
  bus: EventBus;
  snapshot(): Snapshot;
  heartbeatMs: number;
  /** Streams held at once; more are answered 503. */
  maxClients?: number;
  /** Unsent bytes a client may have queued before it is dropped. */
  maxQueuedBytes?: number;
}

/** How long a sweep writes before it lets the event loop read what has arrived (an installer's line). */
const SLICE_MS = 1;
/** Unsent bytes past which a sweep no longer yields (an installer's line is ~200 bytes). */
const FLOOD_BYTES = 64 * 1024;

/**
 * The stream's body ends when its connection closes, as HTTP/1.1 allows (RFC 9112
 * section 6.3): without chunked encoding, a write to a client is the frames alone, not a
 * size line, the frames and a line end gathered -- the server's CPU for one installer
 * line to 1000 clients went from 12.5 to 10.5 ms (medians). An event stream's
 * connection is never reused for another request.
 */
const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'close',
  'X-Accel-Buffering': 'no',
};

/**
 * The bytes of the frames some client has not been sent yet, appended once and
 * handed out as views: a client behind by any number of events gets them in one
 * write, without a copy. Bytes once appended are never written over (a socket may
 * still be sending them): growing or trimming moves what is kept to a new Buffer.
 */
class FrameLog {
  private buffer = Buffer.alloc(0);
  private used = 0;
  /** The offset, counted since the server started, of buffer[0]. */
  private start = 0;
  /** Before it, every client has every byte. */
  private sent = 0;

  /** The offset the next byte will have. */
  get end(): number {
    return this.start + this.used;
  }

  /** The bytes some client has not been sent yet. */
  get waiting(): number {
    return this.end - this.sent;
  }

  append(frames: string): void {
    const bytes = Buffer.byteLength(frames);
    if (this.used + bytes > this.buffer.length) this.move(this.start, Math.max(64 * 1024, 2 * (this.used + bytes)));
    this.buffer.write(frames, this.used);
    this.used += bytes;
  }

  /** The bytes from `offset` to the end. */
  since(offset: number): Buffer {
    return this.buffer.subarray(offset - this.start, this.used);
  }

  /** Every client has the bytes before `offset`: they need not be kept. */
  forget(offset: number): void {
    this.sent = offset;
    if (offset === this.end) {
      this.buffer = Buffer.alloc(0);
      this.start = offset;
      this.used = 0;
    } else if (offset - this.start > this.used / 2) {
      this.move(offset, 2 * (this.end - offset));
    }
  }

  private move(from: number, capacity: number): void {
    const next = Buffer.allocUnsafe(capacity);
    this.buffer.copy(next, 0, from - this.start, this.used);
    this.used = this.end - from;
    this.start = from;
    this.buffer = next;
  }
}

export class EventStream {
  /** Each client, with the offset in the log of the next byte it is to be sent. */
  private readonly clients = new Map<ServerResponse, number>();
  private readonly log = new FrameLog();
  /** The sweep under way, and the end of the log when it began. */
  private sweep: IterableIterator<[ServerResponse, number]> | null = null;
  private sweepFrom = 0;
  private sweepScheduled = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxClients: number;
  private readonly maxQueuedBytes: number;
  /** Clients dropped for not reading (tests and benchmarks read it). */
  dropped = 0;

  constructor(private readonly options: EventStreamOptions) {
    this.maxClients = options.maxClients ?? 2000;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 256 * 1024;
    options.bus.subscribe((event) => this.enqueue(event.frame));
    this.heartbeat = setInterval(() => this.enqueue(': heartbeat\n\n'), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Whether another stream may be opened now. */
  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const { bus, snapshot } = this.options;
    // Removed, not just absent: Node would otherwise frame the body in chunks (see HEADERS).
    res.removeHeader('Transfer-Encoding');
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
    // The opening holds every event published so far: what is still queued is not for it.
    this.clients.set(res, this.log.end);
    const forget = () => this.clients.delete(res);
    res.on('close', forget);
    // A stream pipelined behind another on its connection never gets the socket (the first
    // never ends), and its response hears nothing when the connection closes: the socket does.
    req.socket.once('close', forget);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Sends what is queued, then ends every stream (their sockets close later: none is written to again). */
  closeAll(): void {
    clearInterval(this.heartbeat);
    this.send(Number.POSITIVE_INFINITY);
    for (const client of this.clients.keys()) client.end();
    this.clients.clear();
  }

  private enqueue(frame: string): void {
    this.log.append(frame);
    this.scheduleSweep();
  }

  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    setImmediate(() => {
      this.sweepScheduled = false;
      this.send(SLICE_MS);
    });
  }

  /** Sweeps on for about `budgetMs`, then yields to the event loop and goes on at its next turn. */
  private send(budgetMs: number): void {
    const deadline = performance.now() + budgetMs;
    for (;;) {
      if (!this.sweep) {
        if (this.sweepFrom === this.log.end) return;
        this.sweep = this.clients.entries();
        this.sweepFrom = this.log.end;
      }
      const next = this.sweep.next();
      if (next.done) {
        // Every client now has the log up to where this sweep began; what came since goes,
        // in another sweep, to the clients this one reached before it came.
        this.sweep = null;
        this.log.forget(this.clients.size === 0 ? this.log.end : this.sweepFrom);
        continue;
      }
      const [client, from] = next.value;
      if (from < this.log.end) this.write(client, from);
      // Events coming faster than they can be sent: reading more would only queue more.
      if (performance.now() >= deadline && this.log.waiting < FLOOD_BYTES) {
        this.scheduleSweep();
        return;
      }
    }
  }

  private write(client: ServerResponse, from: number): void {
    if (client.writableLength > this.maxQueuedBytes) {
      this.dropped += 1;
      this.clients.delete(client);
      client.destroy();
      return;
    }
    // Corked, the response writes to its socket now, inside this slice of the sweep
    // (uncorked, every response would write on the next tick, all clients at once).
    client.cork();
    client.write(this.log.since(from));
    client.uncork();
    this.clients.set(client, this.log.end);
  }
}
