// The event stream's fan-out, with stand-in responses whose writes take time as a
// socket's do: the sweep lets the event loop run before it has reached every client,
// and every client still gets every event once, in order.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/api.js';
import { EventBus } from '../../src/events/bus.js';
import { EventStream } from '../../src/events/stream.js';

/** A response that keeps what it is sent; each write holds the thread for `writeMs`, as a socket write does. */
class SlowResponse {
  text = '';
  writes: number[] = [];
  private readonly closeListeners: (() => void)[] = [];
  writableLength = 0;

  constructor(private readonly writeMs: number) {}

  writeHead(): this {
    return this;
  }
  removeHeader(): void {}
  write(chunk: string | Buffer): boolean {
    const until = performance.now() + this.writeMs;
    while (performance.now() < until);
    this.text += chunk.toString();
    this.writes.push(performance.now());
    return true;
  }
  cork(): void {}
  uncork(): void {}
  on(event: string, listener: () => void): this {
    if (event === 'close') this.closeListeners.push(listener);
    return this;
  }
  end(): void {
    for (const listener of this.closeListeners) listener();
  }
  destroy(): void {
    this.end();
  }

  /** The ids of the events received after the opening, in order. */
  ids(): string[] {
    return [...this.text.matchAll(/^id: (.+)$/gm)].map((match) => match[1] ?? '').slice(1);
  }
}

/** A request on a connection of its own, which these tests never close. */
const request = () => ({ headers: {}, socket: new EventEmitter() }) as unknown as IncomingMessage;
const snapshot = () => ({}) as Snapshot;
let stream: EventStream | undefined;

afterEach(() => {
  stream?.closeAll();
  stream = undefined;
});

function connect(count: number, writeMs: number): { bus: EventBus; clients: SlowResponse[] } {
  const bus = new EventBus();
  stream = new EventStream({ bus, snapshot, heartbeatMs: 60_000 });
  const clients = Array.from({ length: count }, () => new SlowResponse(writeMs));
  for (const client of clients) stream.handle(request(), client as unknown as ServerResponse, new URLSearchParams());
  return { bus, clients };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('EventStream fan-out', () => {
  it('lets the event loop run while it writes one event to many clients', async () => {
    // 200 clients at 0.05 ms a write: 10 ms of writing for one event.
    const { bus, clients } = connect(200, 0.05);
    bus.publish('install', { line: 1 });
    let ranMeanwhile: number | null = null;
    setImmediate(() => {
      setImmediate(() => {
        ranMeanwhile = performance.now();
      });
    });
    while (clients.some((client) => client.ids().length < 1)) await turn();
    const lastWrite = Math.max(...clients.map((client) => client.writes.at(-1) ?? 0));
    expect(ranMeanwhile).not.toBeNull();
    expect(ranMeanwhile ?? Number.POSITIVE_INFINITY).toBeLessThan(lastWrite);
  });

  it('sends every client every event once and in order, events published during a sweep included', async () => {
    const { bus, clients } = connect(150, 0.02);
    const published: string[] = [];
    for (let i = 0; i < 40; i++) {
      published.push(bus.publish('install', { i }).id);
      if (i % 3 === 0) published.push(bus.publish('status', { i }).id);
      // A line arrives between two slices of a sweep, or between two sweeps.
      await turn();
    }
    while (clients.some((client) => client.ids().length < published.length)) await turn();
    await turn();
    for (const client of clients) expect(client.ids()).toEqual(published);
  });

  it('does not send a client the events its opening already holds', async () => {
    const { bus, clients } = connect(150, 0.02);
    const early = new SlowResponse(0);
    const late = new SlowResponse(0);
    const first = bus.publish('install', { i: 0 }).id;
    // Before the sweep of `first` begins, and while it runs.
    stream?.handle(request(), early as unknown as ServerResponse, new URLSearchParams());
    await turn();
    stream?.handle(request(), late as unknown as ServerResponse, new URLSearchParams());
    const second = bus.publish('install', { i: 1 }).id;
    while ([...clients, early, late].some((client) => !client.ids().includes(second))) await turn();
    for (const joined of [early, late]) {
      expect(joined.text).toContain(`id: ${first}\nevent: snapshot`);
      expect(joined.ids()).toEqual([second]);
    }
    expect(clients[0]?.ids()).toEqual([first, second]);
  });
});

describe('EventStream.closeAll', () => {
  it('ends every stream, and writes nothing more to one it ended (a socket closes later than end())', async () => {
    const bus = new EventBus();
    stream = new EventStream({ bus, snapshot, heartbeatMs: 60_000 });
    const writesAfterEnd: string[] = [];
    let ended = false;
    // As a ServerResponse: 'close' comes when the socket has closed, not during end().
    const response = {
      writableLength: 0,
      writeHead: () => response,
      write: (chunk: string | Buffer) => {
        if (ended) writesAfterEnd.push(chunk.toString());
        return true;
      },
      cork: () => undefined,
      uncork: () => undefined,
      removeHeader: () => undefined,
      on: () => response,
      end: () => {
        ended = true;
      },
    };
    stream.handle(request(), response as unknown as ServerResponse, new URLSearchParams());
    stream.closeAll();
    expect(ended).toBe(true);
    bus.publish('install', { line: 'after the end' });
    await turn();
    await turn();
    expect(writesAfterEnd).toEqual([]);
    expect(stream.clientCount).toBe(0);
  });
});
