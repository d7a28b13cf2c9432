/**
 * The event stream behind GET /events: every event gets an increasing id, the
 * last `capacity` events are kept so a reconnecting client can catch up, and
 * each published event goes to every subscriber.
 */

export interface BusEvent {
  id: number;
  type: string;
  data: unknown;
}

type Listener = (event: BusEvent) => void;

export class EventBus {
  private nextId = 1;
  private readonly history: BusEvent[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(private readonly capacity = 2000) {}

  publish(type: string, data: unknown): BusEvent {
    const event: BusEvent = { id: this.nextId++, type, data };
    this.history.push(event);
    if (this.history.length > this.capacity) this.history.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The id the next event will get, minus one: the newest id so far. */
  get lastId(): number {
    return this.nextId - 1;
  }

  /**
   * The events after `id`, or null when some of them have already left the
   * history (the client must then start again from a snapshot).
   */
  since(id: number): BusEvent[] | null {
    if (id >= this.lastId) return [];
    const oldest = this.history[0]?.id ?? this.nextId;
    if (id + 1 < oldest) return null;
    return this.history.filter((event) => event.id > id);
  }
}
