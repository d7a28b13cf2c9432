/**
 * GET /events: Server-Sent Events. A new client first gets a `snapshot` (the
 * status, the install and operations in progress); a client that reconnects
 * with Last-Event-ID (header, or `?lastEventId=` from a reloaded page) gets the
 * events it missed instead, when they are still in the history. Comments every `heartbeatMs` keep idle connections open.
 */
import type { Request, Response } from 'express';
import type { BusEvent, EventBus } from '../events/bus.js';

export interface EventStreamOptions {
  bus: EventBus;
  snapshot(): unknown;
  heartbeatMs: number;
}

export class EventStream {
  private readonly clients = new Set<Response>();

  constructor(private readonly options: EventStreamOptions) {}

  handle = (req: Request, res: Response): void => {
    const { bus, snapshot, heartbeatMs } = this.options;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    // The header on reconnects; the query from a reloaded page, whose EventSource cannot set headers.
    const given =
      req.headers['last-event-id'] ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    const lastId = Number(given);
    const missed = given !== undefined && given !== '' && Number.isInteger(lastId) ? bus.since(lastId) : null;
    if (missed) {
      for (const event of missed) res.write(format(event));
    } else {
      // Its id is the newest event it already reflects, so a reconnect resumes after it.
      res.write(format({ id: bus.lastId, type: 'snapshot', data: snapshot() }));
    }
    const unsubscribe = bus.subscribe((event) => res.write(format(event)));
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    this.clients.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.clients.delete(res);
    });
  };

  get clientCount(): number {
    return this.clients.size;
  }

  closeAll(): void {
    for (const client of this.clients) client.end();
  }
}

function format(event: BusEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
