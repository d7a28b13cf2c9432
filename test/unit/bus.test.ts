import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';

const sequence = (id: string) => Number(id.split('-')[1]);

describe('EventBus', () => {
  it("numbers events after this boot's id and hands each to every subscriber", () => {
    const bus = new EventBus();
    const a: string[] = [];
    const b: string[] = [];
    bus.subscribe((event) => a.push(event.id));
    const stop = bus.subscribe((event) => b.push(event.id));
    bus.publish('status', {});
    stop();
    bus.publish('status', {});
    expect(a).toEqual([`${bus.bootId}-1`, `${bus.bootId}-2`]);
    expect(b).toEqual([`${bus.bootId}-1`]);
    expect(bus.lastId).toBe(`${bus.bootId}-2`);
  });

  it('serializes each event once, with the server time', () => {
    const bus = new EventBus();
    const before = Date.now();
    const event = bus.publish('install', { phase: 'checking' });
    const [, id, type, data] = /^id: (.+)\nevent: (.+)\ndata: (.+)\n\n$/.exec(event.frame) ?? [];
    expect([id, type]).toEqual([event.id, 'install']);
    const parsed = JSON.parse(data ?? '{}') as { phase: string; ts: number };
    expect(parsed.phase).toBe('checking');
    expect(parsed.ts).toBeGreaterThanOrEqual(before);
  });

  it('replays what a client missed, and says when it is too old to replay', () => {
    const bus = new EventBus(3);
    for (let i = 0; i < 5; i++) bus.publish('install', { i });
    const at = (n: number) => `${bus.bootId}-${n}`;
    expect(bus.since(at(5))).toEqual([]);
    expect(bus.since(at(3))?.map((event) => sequence(event.id))).toEqual([4, 5]);
    expect(bus.since(at(2))?.map((event) => sequence(event.id))).toEqual([3, 4, 5]);
    expect(bus.since(at(1))).toBeNull();
    expect(bus.since(at(0))).toBeNull();
  });

  it('gives ids that a restarted server does not know a snapshot instead', () => {
    const before = new EventBus();
    for (let i = 0; i < 5; i++) before.publish('install', { i });
    const after = new EventBus();
    after.publish('install', {});
    expect(after.bootId).not.toBe(before.bootId);
    expect(after.since(before.lastId)).toBeNull();
    expect(after.since('17')).toBeNull();
    expect(after.since(`${after.bootId}-99`)).toBeNull();
    expect(after.since(`${after.bootId}-0`)?.length).toBe(1);
  });
});
