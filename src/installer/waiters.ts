/**
 * What waits for an install to end before it runs sky: each in words, for a busy message
 * ("launch of web-1"), and the servers the launches among them make, which every client is
 * told of (the `waiting` event; a new client's Snapshot.waiting_launches).
 */
import type { WaitingEventData } from '../api.js';
import type { EventBus } from '../events/bus.js';

interface Waiter {
  purpose: string;
  launch: string | null;
}

export class SkyPilotWaiters {
  private readonly waiters: Waiter[] = [];

  constructor(private readonly bus: EventBus) {}

  /** Counts in what waits (purpose, and the server a launch makes) until `wait` settles. */
  async during<T>(purpose: string, launch: string | null, wait: () => Promise<T>): Promise<T> {
    const waiter = { purpose, launch };
    this.waiters.push(waiter);
    if (launch !== null) this.publish();
    try {
      return await wait();
    } finally {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      if (launch !== null) this.publish();
    }
  }

  purposes(): string[] {
    return this.waiters.map(({ purpose }) => purpose);
  }

  launches(): string[] {
    return this.waiters.flatMap(({ launch }) => (launch === null ? [] : [launch]));
  }

  /** Every client lists the waiting launches, not only the tab that asked for one. */
  private publish(): void {
    const data: WaitingEventData = { launches: this.launches() };
    this.bus.publish('waiting', data);
  }
}
