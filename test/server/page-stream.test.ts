// The page's event stream (public/stream.js), run as the page runs it (fetch, a reader)
// against a small server that plays the part of GET /events: the token on every
// connection, the `retry:` delay kept, Last-Event-ID on each reconnect, comments and
// data-less blocks skipped, and a refused token ending it. Its twin with the real server is
// the replay test in events.test.ts; this one holds the page's side, which that one cannot.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventStream } from '../../public/stream.js';
import { until } from '../support/fixture.js';

interface Seen {
  type: string;
  data: string;
  id: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server whose nth connection is answered by answers[n]; it records each request's headers. */
async function playedServer(answers: ((res: ServerResponse) => void)[]) {
  const requests: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    const answer = answers[requests.length - 1];
    if (answer) answer(res);
    else res.writeHead(200, { 'content-type': 'text/event-stream' }); // held open, silent
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, requests };
}

function stream(url: string, token = 'T'.repeat(48)) {
  const seen: Seen[] = [];
  const states: boolean[] = [];
  let unauthorized = 0;
  const handle = openEventStream(url, {
    token: () => token,
    lastEventId: '',
    onEvent: (event) => seen.push(event),
    onUnauthorized: () => {
      unauthorized += 1;
    },
    onState: (connected) => states.push(connected),
  });
  closers.push(async () => handle.close());
  return { seen, states, unauthorized: () => unauthorized };
}

describe("the page's event stream", () => {
  it('reconnects after the retry delay with Last-Event-ID and the token, and reads the replay', async () => {
    const server = await playedServer([
      (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // A comment, an event in two writes, a block without data, then the connection drops.
        res.write('retry: 50\n\n: heartbeat\n\nid: boot-1\nevent: install\nda');
        res.end('ta: {"phase":"checking"}\n\nid: boot-2\n\n');
      },
      (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('id: boot-3\r\nevent: install\r\ndata: line one\r\ndata: line two\r\n\r\n');
      },
    ]);
    const client = stream(server.url);
    await until(() => client.seen.length === 2, 'the replayed event after the reconnect');
    expect(client.seen).toEqual([
      { type: 'install', data: '{"phase":"checking"}', id: 'boot-1' },
      { type: 'install', data: 'line one\nline two', id: 'boot-3' },
    ]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({ authorization: `Bearer ${'T'.repeat(48)}` });
    expect(server.requests[0]?.['last-event-id']).toBeUndefined();
    // The id of the data-less block counts: it is the last id the stream set.
    expect(server.requests[1]).toMatchObject({ authorization: `Bearer ${'T'.repeat(48)}`, 'last-event-id': 'boot-2' });
    expect(client.states).toEqual([true, false, true]);
  });

  it('resumes after the last complete event: a connection cut inside a frame does not skip it', async () => {
    const server = await playedServer([
      (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // The server dies while it writes boot-2: its id came, its blank line did not.
        res.end('retry: 50\n\nid: boot-1\nevent: install\ndata: one\n\nid: boot-2\nevent: install\nda');
      },
      (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('id: boot-2\nevent: install\ndata: two\n\n');
      },
    ]);
    const client = stream(server.url);
    await until(() => client.seen.length === 2, 'the event cut off, sent again');
    expect(server.requests[1]?.['last-event-id']).toBe('boot-1');
    expect(client.seen.map((event) => [event.id, event.data])).toEqual([
      ['boot-1', 'one'],
      ['boot-2', 'two'],
    ]);
  });

  it('stops, and says so, when the server refuses the token', async () => {
    const server = await playedServer([
      (res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end('retry: 10\n\n'),
      (res) => res.writeHead(401).end(),
    ]);
    const client = stream(server.url);
    await until(() => client.unauthorized() === 1, 'the refusal');
    // Thirty retry delays later, no third connection.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests).toHaveLength(2);
    expect(client.states).toEqual([true, false, false]);
  });
});
