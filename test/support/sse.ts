/** A real SSE client (the `eventsource` package) that records what it receives. */
import { EventSource } from 'eventsource';
import { until } from './fixture.js';

export interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const TYPES = ['snapshot', 'status', 'install', 'operation'];

export class Listener {
  readonly events: Received[] = [];
  readonly source: EventSource;
  opens = 0;

  constructor(url: string, lastEventId?: string) {
    this.source = new EventSource(`${url}/events`, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init.headers as Record<string, string>),
            ...(lastEventId !== undefined && this.opens === 0 ? { 'Last-Event-ID': lastEventId } : {}),
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
