/**
 * The benchmark's clients, in a process of their own so that they never share the
 * server's event loop: `node --import tsx test/bench/clients.ts <json>`. Talks to its
 * parent over IPC. Kinds:
 * - sse: N event-stream connections; reports, per `install` event, the delay from
 *   the server's `ts` to its arrival, and how many each client got (lost, duplicated);
 * - load: C keep-alive connections sending GET <path> in a loop for S seconds; reports
 *   latencies and the request count;
 * - first: C new connections at once, one GET each; reports each latency.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

interface SseJob {
  kind: 'sse';
  url: string;
  clients: number;
}
interface LoadJob {
  kind: 'load';
  url: string;
  connections: number;
  seconds: number;
}
interface FirstJob {
  kind: 'first';
  url: string;
  connections: number;
}
type Job = SseJob | LoadJob | FirstJob;

const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send?.(message);

async function sse(job: SseJob): Promise<void> {
  const target = new URL(job.url);
  const delays: number[] = [];
  const seen: Map<string, number>[] = [];
  let open = 0;
  for (let i = 0; i < job.clients; i++) {
    const ids = new Map<string, number>();
    seen.push(ids);
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    let buffer = '';
    let counted = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const arrived = now();
      if (!counted) {
        counted = true;
        open += 1;
        if (open === job.clients) send({ ready: true });
      }
      buffer += chunk;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (!frame.includes('event: install')) continue;
        const id = /^id: (.+)$/m.exec(frame)?.[1] ?? '';
        const data = /^data: (.+)$/m.exec(frame)?.[1] ?? '{}';
        const { ts } = JSON.parse(data) as { ts: number };
        ids.set(id, (ids.get(id) ?? 0) + 1);
        delays.push(arrived - ts);
      }
    });
  }
  process.on('message', (message: { report?: boolean }) => {
    if (!message.report) return;
    const counts = seen.map((ids) => [...ids.values()]);
    send({
      delays,
      received: counts.map((values) => values.length),
      duplicated: counts.reduce((sum, values) => sum + values.filter((n) => n > 1).length, 0),
    });
    delays.length = 0;
    for (const ids of seen) ids.clear();
  });
}

function get(url: string, agent: Agent): Promise<number> {
  const started = now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(now() - started));
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(job: LoadJob): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  const until = now() + job.seconds * 1000;
  // One warm request per connection first: this measures serving, not connecting.
  await Promise.all(Array.from({ length: job.connections }, () => get(job.url, agent)));
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (now() < until) latencies.push(await get(job.url, agent));
    }),
  );
  agent.destroy();
  send({ latencies, seconds: job.seconds });
}

async function first(job: FirstJob): Promise<void> {
  const agents = Array.from({ length: job.connections }, () => new Agent({ keepAlive: false }));
  const latencies = await Promise.all(agents.map((agent) => get(job.url, agent)));
  send({ latencies });
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
if (job.kind === 'sse') await sse(job);
else if (job.kind === 'load') await load(job);
else await first(job);
