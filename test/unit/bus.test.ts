import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';

describe('EventBus', () => {
  it('numbers events from 1 and hands each to every subscriber', () => {
    const bus = new EventBus();
    const a: number[] = [];
    const b: number[] = [];
    bus.subscribe((event) => a.push(event.id));
    const stop = bus.subscribe((event) => b.push(event.id));
    bus.publish('status', {});
    stop();
    bus.publish('status', {});
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1]);
    expect(bus.lastId).toBe(2);
  });

  it('replays what a client missed, and says when it is too old to replay', () => {
    const bus = new EventBus(3);
    for (let i = 0; i < 5; i++) bus.publish('install', { i });
    expect(bus.since(5)).toEqual([]);
    expect(bus.since(3)?.map((event) => event.id)).toEqual([4, 5]);
    expect(bus.since(2)?.map((event) => event.id)).toEqual([3, 4, 5]);
    expect(bus.since(1)).toBeNull();
    expect(bus.since(0)).toBeNull();
  });

  it('replays everything to a client that saw nothing of a young stream', () => {
    const bus = new EventBus();
    bus.publish('a', 1);
    expect(bus.since(0)?.map((event) => event.id)).toEqual([1]);
  });
});
