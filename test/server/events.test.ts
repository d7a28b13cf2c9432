// GET /events with a real SSE client: ids, snapshot, replay of missed events, heartbeats.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, startFixture, until } from '../support/fixture.js';
import { Listener, sequenceOf } from '../support/sse.js';

let fx: Fixture | undefined;
const listeners: Listener[] = [];

afterEach(async () => {
  for (const listener of listeners.splice(0)) listener.close();
  await fx?.close();
  fx = undefined;
});

function listen(url: string, lastEventId?: string): Listener {
  const listener = new Listener(url, { token: fx?.server.token, lastEventId });
  listeners.push(listener);
  return listener;
}

describe('GET /events', () => {
  it('starts with a snapshot, then numbers every event in increasing order', async () => {
    fx = await startFixture();
    const sse = listen(fx.server.url);
    const snapshot = await sse.waitFor((e) => e.type === 'snapshot', 'snapshot');
    expect(snapshot.data).toMatchObject({ status: { state: 'not_installed' }, install: null, operations: [] });
    await fx.request('POST', '/clouds/check');
    await sse.waitFor((e) => e.type === 'operation' && e.data.event === 'end', 'end');
    const ids = sse.events.filter((e) => e.type !== 'snapshot').map((e) => sequenceOf(e.id));
    expect(ids.length).toBeGreaterThan(15);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe(sequenceOf(snapshot.id) + 1);
    expect(new Set(sse.events.map((e) => e.id.split('-')[0]))).toEqual(new Set([fx.server.bus.bootId]));
  });

  it('gives a client that joins mid-install the install so far in its snapshot', async () => {
    fx = await startFixture();
    const f = fx;
    f.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 300_000 }]);
    await f.request('POST', '/install');
    await until(() => f.server.session.progress()?.events.some((e) => e.phase === 'downloading'), 'downloading');
    const late = listen(f.server.url);
    const snapshot = await late.waitFor((e) => e.type === 'snapshot', 'snapshot');
    const install = snapshot.data.install as { id: string; events: { phase: string }[] };
    expect(snapshot.data.status).toMatchObject({ state: 'installing', install_id: install.id });
    expect(install.events.map((e) => e.phase)).toContain('downloading');
  });

  it('replays exactly the missed events to a client that sends Last-Event-ID', async () => {
    fx = await startFixture();
    const first = listen(fx.server.url);
    await fx.request('POST', '/clouds/check');
    await first.waitFor((e) => e.type === 'operation' && e.data.event === 'end', 'end');
    const seen = first.events.filter((e) => e.type !== 'snapshot');
    const cut = seen[5];
    if (!cut) throw new Error('too few events');

    const resumed = listen(fx.server.url, cut.id);
    // Events may still follow the check's end (a status change): compare once both clients have the newest.
    const bus = fx.server.bus;
    await until(
      () => first.events.at(-1)?.id === bus.lastId && resumed.events.at(-1)?.id === bus.lastId,
      'both clients at the newest event',
    );
    const expected = first.events.filter((e) => e.type !== 'snapshot' && sequenceOf(e.id) > sequenceOf(cut.id));
    expect(expected.length).toBeGreaterThan(5);
    expect(resumed.events.map((e) => [e.id, e.type])).toEqual(expected.map((e) => [e.id, e.type]));
    expect(resumed.of('snapshot')).toEqual([]);
  });

  it('reconnects after the connection drops and catches up without a new snapshot', async () => {
    fx = await startFixture();
    const f = fx;
    const sse = listen(f.server.url);
    await sse.waitFor((e) => e.type === 'snapshot', 'snapshot');
    await until(() => f.server.events.clientCount === 1, 'the connection');
    f.server.events.closeAll(); // the client retries after 2 s ("retry: 2000") with Last-Event-ID
    const whileAway = await f.request('POST', '/install');
    expect(whileAway.status).toBe(202);
    await until(() => f.server.store.status().state === 'installed', 'installed');
    await sse.waitFor((e) => e.type === 'status' && e.data.state === 'installed', 'the missed status', 10_000);
    expect(sse.opens).toBe(2);
    expect(sse.of('snapshot')).toHaveLength(1);
    expect(sse.of('install').length).toBeGreaterThan(5);
    const ids = sse.events.map((e) => sequenceOf(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('sends a snapshot instead when the missed events are no longer kept', async () => {
    fx = await startFixture();
    for (let i = 0; i < 2100; i++) fx.server.bus.publish('status', { i });
    const stale = listen(fx.server.url, `${fx.server.bus.bootId}-1`);
    const first = await stale.waitFor(() => true, 'an event');
    expect(first.type).toBe('snapshot');
    expect(first.id).toBe(`${fx.server.bus.bootId}-2100`);
  });

  it('sends a snapshot to a client whose Last-Event-ID comes from before a restart', async () => {
    fx = await startFixture();
    const seen = listen(fx.server.url);
    await fx.request('POST', '/clouds/check');
    await seen.waitFor((e) => e.type === 'operation' && e.data.event === 'end', 'end');
    const lastBeforeRestart = seen.events.at(-1)?.id ?? '';
    seen.close();
    await fx.close();
    fx = await startFixture();
    fx.server.bus.publish('status', { after: 'restart' });
    const resumed = listen(fx.server.url, lastBeforeRestart);
    const first = await resumed.waitFor(() => true, 'an event');
    expect(first.type).toBe('snapshot');
    expect(first.id.startsWith(fx.server.bus.bootId)).toBe(true);
  });

  it('keeps idle connections open with heartbeat comments', async () => {
    fx = await startFixture({ heartbeatMs: 100 });
    const response = await fetch(`${fx.server.url}/events`, {
      headers: { authorization: `Bearer ${fx.server.token}` },
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body?.getReader();
    let text = '';
    while (reader && !text.includes(': heartbeat')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    await reader?.cancel();
    expect(text).toContain(': heartbeat\n\n');
  });

  it('sends the frames as they are, the body ending with the connection (no chunked encoding)', async () => {
    fx = await startFixture();
    const { hostname, port } = new URL(fx.server.url);
    const socket = connect(Number(port), hostname);
    try {
      socket.write(
        `GET /events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${fx.server.token}\r\n\r\n`,
      );
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
      });
      await until(() => received.includes('event: snapshot'), 'the snapshot');
      await fx.request('POST', '/clouds/check');
      await until(() => /event: operation[\s\S]*?\n\n/.test(received), 'an operation event');
      const [head = '', body = ''] = received.split('\r\n\r\n');
      expect(head).toMatch(/^connection: close$/im);
      expect(head).not.toMatch(/^transfer-encoding:/im);
      // Nothing but frames: every block of the body is a comment, a retry or a whole event.
      expect(body.startsWith('retry: 2000\n\n')).toBe(true);
      for (const block of body.split('\n\n').filter((part) => part !== '')) {
        expect(block).toMatch(/^(retry: \d+|: heartbeat|id: [0-9a-f]+-\d+\nevent: [a-z_]+\ndata: \{.*\})$/);
      }
    } finally {
      socket.destroy();
    }
  });
});
