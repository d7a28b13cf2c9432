/** A real SSE client (the `eventsource` package) that records what it receives. */
import { EventSource } from 'eventsource';
import { until } from './fixture.js';

export interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const TYPES = ['snapshot', 'status', 'install', 'operation', 'waiting'];

export interface ListenerOptions {
  /** The server's token (sent as Authorization: Bearer). */
  token?: string;
  /** Sent as Last-Event-ID on the first connection. */
  lastEventId?: string;
}

export class Listener {
  readonly events: Received[] = [];
  readonly source: EventSource;
  opens = 0;

  constructor(url: string, options: ListenerOptions = {}) {
    this.source = new EventSource(`${url}/events`, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init.headers as Record<string, string>),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(options.lastEventId !== undefined && this.opens === 0 ? { 'Last-Event-ID': options.lastEventId } : {}),
          },
        }),
    });
    this.source.addEventListener('open', () => {
      this.opens += 1;
    });
    for (const type of TYPES) {
      this.source.addEventListener(type, (event: MessageEvent) => {
        this.events.push({
          id: event.lastEventId,
          type,
          data: JSON.parse(String(event.data)) as Record<string, unknown>,
        });
      });
    }
  }

  of(type: string): Received[] {
    return this.events.filter((event) => event.type === type);
  }

  waitFor(predicate: (event: Received) => boolean, what: string, timeoutMs?: number): Promise<Received> {
    return until(() => this.events.find(predicate), what, timeoutMs);
  }

  close(): void {
    this.source.close();
  }
}

/** The numeric part of an event id (<boot id>-<n>). */
export function sequenceOf(id: string): number {
  return Number(id.split('-').at(-1));
}
