/**
 * The event stream behind GET /events. Every event gets an id unique across
 * restarts (this boot's id, then a counter), the server's time (`ts`, ms) in its
 * data, and is serialized once into the frame every client is sent -- without the
 * user names and passwords of addresses (src/redact.ts), which SkyPilot prints as
 * they are. The last `capacity` events are kept so that a reconnecting client can
 * catch up.
 */
import { randomBytes } from 'node:crypto';
import { jsonWithoutCredentials } from '../redact.js';

export interface BusEvent {
  id: string;
  type: string;
  /** The whole Server-Sent Events frame: `id:`, `event:`, `data:` and the blank line. */
  frame: string;
}

type Listener = (event: BusEvent) => void;

export class EventBus {
  /** Changes at every start, so that an id from before a restart is never mistaken for a recent one. */
  readonly bootId = randomBytes(6).toString('hex');
  private sequence = 0;
  private readonly ring: (BusEvent | undefined)[];
  private readonly listeners = new Set<Listener>();

  constructor(private readonly capacity = 2000) {
    this.ring = new Array(capacity);
  }

  publish(type: string, data: object): BusEvent {
    this.sequence += 1;
    const id = `${this.bootId}-${this.sequence}`;
    const payload = jsonWithoutCredentials({ ...data, ts: Date.now() });
    const event: BusEvent = { id, type, frame: `id: ${id}\nevent: ${type}\ndata: ${payload}\n\n` };
    this.ring[this.sequence % this.capacity] = event;
    for (const listener of this.listeners) listener(event);
    return event;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The newest id so far (before any event: this boot's id and 0). */
  get lastId(): string {
    return `${this.bootId}-${this.sequence}`;
  }

  /**
   * The events after `lastEventId`, or null when the client must start again from
   * a snapshot: an id from another boot, one not yet given, or events already
   * gone from the history.
   */
  since(lastEventId: string): BusEvent[] | null {
    const match = /^([0-9a-f]+)-(\d+)$/.exec(lastEventId);
    if (!match || match[1] !== this.bootId) return null;
    const seen = Number(match[2]);
    if (seen > this.sequence) return null;
    if (this.sequence - seen > this.capacity) return null;
    const missed: BusEvent[] = [];
    for (let n = seen + 1; n <= this.sequence; n++) {
      const event = this.ring[n % this.capacity];
      if (event) missed.push(event);
    }
    return missed;
  }
}
