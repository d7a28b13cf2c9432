/**
 * Installer line → SSE client, on the real path: the server (a process of its own,
 * token on) runs the installer as it always does, only under the stamping relay
 * (stamped-installer.sh), against the test mirror throttled so that the install
 * lasts; the clients are event streams in processes of their own. Every line is
 * stamped on one clock: when the relay read it off the script's pipe (printed), when
 * the relay had written it on to the server, when the server read it off that pipe,
 * when the server published it on its bus, and when each client got it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALLER_SCRIPT } from '../../src/config.js';
import { parseInstallerLine } from '../../src/installer/lines.js';
import type { Mirror } from '../mirror/server.js';
import { cleanUpTemporaryFolders, installerEnv, temporaryFolder } from '../support/fixture.js';
import { type Forked, startBenchServer, startClients } from './processes.js';
import type { Results } from './results.js';
import type { BusStamp, PipeRead } from './server.js';
import { max, median, min, ms, percentile } from './stats.js';

const STAMPED_INSTALLER = fileURLToPath(new URL('./stamped-installer.sh', import.meta.url));
const EMIT_LINES = fileURLToPath(new URL('./emit-lines.sh', import.meta.url));

/** One installer line's trip. */
export interface Trip {
  phase: string;
  message: string;
  /** Its place among the lines of its install (0: the first). */
  index: number;
  /** Its phase differs from the line before it in its install (the first line counts among the first lines instead). */
  phaseChange: boolean;
  /** When the relay read it off the script's pipe; when it left the relay. */
  printed: number;
  relayed: number;
  /** When the server read it off the relay's pipe (NaN if no read of the server's held it). */
  read: number;
  /** When the server published it on its bus. */
  bus: number;
  /**
   * From just after the relay wrote it on to its publish: how long the server's main
   * thread ran, and waited for a CPU (ms; NaN without /proc, or when the relay read the
   * counters only after the publish).
   */
  serverRan: number;
  serverWaited: number;
  /** When each client received it. */
  arrivals: number[];
}

export interface FanOutRun {
  /** The nice values the server, the stamping relay and the script ran at. */
  nice: { server: number; relay: number; program: number };
  trips: Trip[];
  /** Other events (status, operation) published during the run: bus → each client. */
  others: { type: string; bus: number; arrivals: number[] }[];
  clients: number;
  duplicated: number;
  /** Wall time of the run (ms), first line to last. */
  wall: number;
  /** CPU time (ms, user + system) the server and each client process used from the install's start to the end of the run. */
  cpu: { server: number; clients: number[] };
  /**
   * The server's main thread from the run's first event to its last: ms on a CPU and
   * waiting for one (NaN without /proc).
   */
  serverThread: { ran: number; waited: number };
  /** CPU time the host took from this VM during the run, and the run's wall time (ms; all CPUs: steal in /proc/stat; 0 elsewhere). */
  steal: { ms: number; over: number };
  /** Events published in that time (lines, status, heartbeats). */
  events: number;
}

/** The CPU time (ms, all CPUs) the host has taken from this VM so far: steal in /proc/stat; 0 without it. */
function stolen(): number {
  try {
    const [cpus = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
    // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks (USER_HZ, 100 on Linux).
    return Number(cpus.trim().split(/\s+/)[8] ?? 0) * 10;
  } catch {
    return 0;
  }
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

interface RunOptions {
  mirror: Mirror;
  /** Clients per client process. */
  swarms: number[];
  /** The script the server runs under the relay (the installer, or the burst fixture). */
  script?: string;
  env?: NodeJS.ProcessEnv;
}

/** One installer run through a fresh server, to every client. */
export async function fanOutRun({
  mirror,
  swarms,
  script = INSTALLER_SCRIPT,
  env = {},
}: RunOptions): Promise<FanOutRun> {
  const folder = temporaryFolder('bench-sse');
  const home = join(folder, 'carapace');
  const stampsFile = join(folder, 'stamps.tsv');
  const server = await startBenchServer({
    kind: 'carapace',
    home,
    env: { ...installerEnv(mirror, home), BENCH_STAMPS: stampsFile, BENCH_INSTALLER: script, ...env },
    script: STAMPED_INSTALLER,
  });
  const clients: Forked[] = [];
  try {
    for (const count of swarms) {
      const swarm = startClients({ kind: 'sse', url: `${server.url}/events`, token: server.token, clients: count });
      clients.push(swarm);
      await swarm.next();
    }
    await sleep(500);
    interface Report {
      arrivals: Record<string, number[]>;
      duplicated: number;
      cpu: number;
    }
    const report = () => Promise.all(clients.map((swarm) => swarm.ask<Report>({ report: true })));
    // From here on: what the connections' openings were is not counted.
    const serverCpuBefore = (await server.ask<{ cpu: number }>({ ask: 'bus' })).cpu;
    const clientsCpuBefore = (await report()).map((one) => one.cpu);
    const stealBefore = stolen();
    const stealFrom = performance.now();
    const answer = await fetch(`${server.url}/install`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (answer.status !== 202 && answer.status !== 200) throw new Error(`POST /install answered ${answer.status}`);
    // The relay writes its stamps when the script has ended. The server is not asked for its
    // bus until then: answering (its CPU time, the stamps serialized onto the IPC pipe) is
    // work of the bench's, which a line arriving meanwhile would wait behind.
    const deadline = Date.now() + 180_000;
    while (!existsSync(stampsFile)) {
      if (Date.now() > deadline) throw new Error('the installer has not ended after 3 minutes');
      await sleep(250);
    }
    // The events after the last line (the status of the end), and the clients' last reads.
    await sleep(1500);
    const steal = { ms: stolen() - stealBefore, over: performance.now() - stealFrom };
    const taken = await server.ask<{ bus: BusStamp[]; reads: PipeRead[]; cpu: number }>({ ask: 'bus' });
    const bus = taken.bus;
    const serverCpu = taken.cpu - serverCpuBefore;
    const reports = await report();
    await server.close();
    const arrivals = (id: string) => reports.flatMap((one) => one.arrivals[id] ?? []);
    const [niceLine = '', ...stamps] = readFileSync(stampsFile, 'utf8').split('\n');
    const [, serverNice = '', relayNice = '', programNice = ''] = niceLine.split('\t');
    const lines = stamps
      .filter((stamp) => stamp !== '')
      .map((stamp) => {
        const [read = '', written = '', counted = '', ran = '', waited = '', ...line] = stamp.split('\t');
        return {
          printed: Number(read),
          relayed: Number(written),
          counted: Number(counted),
          // ns, as /proc gives them; "-" (NaN) without it.
          ran: Number(ran),
          waited: Number(waited),
          text: line.join('\t'),
          event: parseInstallerLine(line.join('\t')),
        };
      })
      .filter((line) => line.event !== null);
    const installs = bus.filter((stamp) => stamp.type === 'install');
    if (installs.length !== lines.length) {
      throw new Error(`the relay saw ${lines.length} lines of the grammar, the bus ${installs.length} install events`);
    }
    // The server's reads come in the relay's order: each line's is the next read of its text.
    let nextRead = 0;
    const readOf = (text: string) => {
      const found = taken.reads.findIndex((read, i) => i >= nextRead && read.line === text);
      if (found < 0) return Number.NaN;
      nextRead = found + 1;
      return taken.reads[found]?.at ?? Number.NaN;
    };
    const trips = lines.map((line, index): Trip => {
      const published = installs[index] as BusStamp;
      const phase = line.event?.phase ?? '';
      if (published.data?.phase !== phase)
        throw new Error(`line ${index} is ${phase}, its event ${published.data?.phase}`);
      return {
        phase,
        message: line.event?.message ?? '',
        index,
        phaseChange: index > 0 && lines[index - 1]?.event?.phase !== phase,
        printed: line.printed,
        relayed: line.relayed,
        read: readOf(line.text),
        bus: published.at,
        // Counters the relay read only once the line was published tell nothing of its wait.
        serverRan: line.counted < published.at ? (published.ran - line.ran) / 1e6 : Number.NaN,
        serverWaited: line.counted < published.at ? (published.waited - line.waited) / 1e6 : Number.NaN,
        arrivals: arrivals(published.id),
      };
    });
    const others = bus
      .filter((stamp) => stamp.type !== 'install')
      .map((stamp) => ({ type: stamp.type, bus: stamp.at, arrivals: arrivals(stamp.id) }));
    return {
      nice: { server: Number(serverNice), relay: Number(relayNice), program: Number(programNice) },
      trips,
      others,
      clients: swarms.reduce((sum, count) => sum + count, 0),
      duplicated: reports.reduce((sum, one) => sum + one.duplicated, 0),
      cpu: { server: serverCpu, clients: reports.map((one, i) => one.cpu - (clientsCpuBefore[i] ?? 0)) },
      serverThread: {
        ran: ((bus.at(-1)?.ran ?? Number.NaN) - (bus[0]?.ran ?? Number.NaN)) / 1e6,
        waited: ((bus.at(-1)?.waited ?? Number.NaN) - (bus[0]?.waited ?? Number.NaN)) / 1e6,
      },
      steal,
      events: bus.length,
      wall: (trips.at(-1)?.printed ?? 0) - (trips[0]?.printed ?? 0),
    };
  } finally {
    for (const swarm of clients) swarm.child.kill();
    await Promise.all(clients.map((swarm) => swarm.ended));
    server.child.kill();
    await server.ended;
    cleanUpTemporaryFolders(folder);
  }
}

/** The burst: the server runs a script that prints `lines` lines 10 ms apart, as it runs the installer. */
export function burstRun(mirror: Mirror, swarms: number[], lines: number): Promise<FanOutRun> {
  return fanOutRun({ mirror, swarms, script: EMIT_LINES, env: { BENCH_LINES: String(lines) } });
}

const THROTTLE = { match: '', kind: 'slow' as const, bytesPerSecond: 500_000 };
const SWARMS = [500, 500];

/** The status event of the install's start (the first event of the run): bus → its last client. */
function startStatusDelay(run: FanOutRun): number {
  if (run.others.length === 0) return Number.NaN;
  const first = run.others.reduce((a, b) => (b.bus < a.bus ? b : a));
  return max(first.arrivals) - first.bus;
}

/** The server's own part: from its read of the line off the pipe to the publish. */
const readToBus = (trip: Trip) => trip.bus - trip.read;
const lostOf = (run: FanOutRun) => run.trips.reduce((sum, trip) => sum + run.clients - trip.arrivals.length, 0);
const shown = (values: number[]) =>
  `p50 ${ms(median(values))}, p99 ${ms(percentile(values, 0.99))}, max ${ms(max(values))}`;
/**
 * line → bus, all lines and then split: the first line of each install is also the first
 * run of the server's line path (zx's stream handlers, readline, the parser), which V8
 * compiles then; the others.
 */
function busSplit(all: Trip[], toBus: (trip: Trip) => number): string {
  const trips = all.filter((trip) => Number.isFinite(toBus(trip)));
  const first = trips.filter((trip) => trip.index === 0).map(toBus);
  const rest = trips.filter((trip) => trip.index > 0).map(toBus);
  return (
    `${shown(trips.map(toBus))}; the first line of each install (its code's first run in the server) ` +
    `${ms(min(first))}–${ms(max(first))}, the other lines p99 ${ms(percentile(rest, 0.99))}`
  );
}

/**
 * Where the time from the pipe to the bus went, by the server's main thread's scheduler
 * counters: over each install, its time waiting for a CPU (runnable: a wake-up counts
 * until it runs) and running, per event; and for each line over 2 ms from the pipe,
 * between the relay's reading (once it had written the line on) and the publish, what
 * took most of it: a wait for a CPU (a wait under way when the relay reads counts whole:
 * the kernel adds a wait up when it ends), the thread's running, or neither (the relay
 * slow to read the counters, or the host running something else on this VM's CPU). A
 * line whose counters the relay read only after the publish tells nothing.
 */
export function whereTheWaitWent(runs: FanOutRun[]): string {
  if (!runs.some((run) => Number.isFinite(run.serverThread.waited))) return 'no scheduler counters here (no /proc)';
  const perEvent = (part: (run: FanOutRun) => number) => ms(median(runs.map((run) => part(run) / run.events)));
  const slow = runs.flatMap((run) => run.trips).filter((trip) => trip.bus - trip.relayed > 2);
  const counted = slow.filter((trip) => Number.isFinite(trip.serverWaited));
  const neither = (trip: Trip) => trip.bus - trip.relayed - trip.serverWaited - trip.serverRan;
  const most = (trip: Trip) => Math.max(trip.serverWaited, trip.serverRan, neither(trip));
  const waiting = counted.filter((trip) => trip.serverWaited === most(trip)).map((trip) => trip.serverWaited);
  const running = counted.filter((trip) => trip.serverRan === most(trip)).map((trip) => trip.serverRan);
  const other = counted.filter((trip) => neither(trip) === most(trip)).map(neither);
  const range = (values: number[]) => (values.length > 0 ? ` (${ms(min(values))}–${ms(max(values))})` : '');
  const steal = runs.reduce((sum, run) => sum + run.steal.ms, 0);
  const wall = runs.reduce((sum, run) => sum + run.steal.over, 0);
  return (
    `the server's main thread, per event published (medians over installs): waiting for a CPU ` +
    `${perEvent((run) => run.serverThread.waited)}, running ${perEvent((run) => run.serverThread.ran)}. Of the ` +
    `${slow.length} lines over 2 ms from the pipe, most of the time went to a wait for a CPU for ${waiting.length}` +
    `${range(waiting)}, to the thread's running for ${running.length}${range(running)}, to neither for ` +
    `${other.length}${range(other)}; ${slow.length - counted.length} unknown (the relay read the counters after the ` +
    `publish). The host took ${ms(steal)} of this VM's CPUs over the ${ms(wall)} of the runs (steal, /proc/stat)`
  );
}

/**
 * Line → bus from the pipe, split at the server's read: the bytes on the pipe until the
 * server's main thread takes them (a wait for a CPU, or for the end of what it was running),
 * then the server's own work on the line, from its read to the publish.
 */
function splitAtRead(trips: Trip[]): string {
  const read = trips.filter((trip) => Number.isFinite(trip.read));
  const unread = trips.length - read.length;
  return (
    `from the pipe to the server's read of it ${shown(read.map((trip) => trip.read - trip.relayed))}; ` +
    `from the server's read to the publish ${shown(read.map((trip) => trip.bus - trip.read))}` +
    (unread > 0 ? ` (${unread} lines not found among the server's reads)` : '')
  );
}

/** The priorities the processes of the line's way ran at, over the runs. */
function niceOf(runs: FanOutRun[]): string {
  const seen = new Set(
    runs.map(
      ({ nice }) => `The script at nice ${nice.program}, the relay at ${nice.relay}, the server at ${nice.server}`,
    ),
  );
  return `${[...seen].join('; ')} (${runs.length} installs)`;
}

/** The spread over runs of one figure of each: "per <each> lo–hi". */
const perRun = (each: string, runs: FanOutRun[], figure: (run: FanOutRun) => number) =>
  `per ${each} ${ms(min(runs.map(figure)))}–${ms(max(runs.map(figure)))}`;

export async function eventRows(results: Results, mirror: Mirror, quick: boolean): Promise<void> {
  const installs = quick ? 1 : 6;
  const clients = SWARMS.reduce((sum, count) => sum + count, 0);
  const how =
    `the installer (real script, stand-ins, mirror at ${THROTTLE.bytesPerSecond / 1000} KB/s) started by POST /install to a fresh ` +
    `server process, token on; ${clients} event streams in ${SWARMS.length} client processes`;
  await results.row(async () => {
    const runs: FanOutRun[] = [];
    for (let i = 0; i < installs; i++) {
      mirror.reset();
      mirror.setFaults([THROTTLE]);
      runs.push(await fanOutRun({ mirror, swarms: SWARMS }));
    }
    const trips = runs.flatMap((run) => run.trips);
    const toBus = (trip: Trip) => trip.bus - trip.printed;
    // From when the line was on the server's pipe: the relay (a bench instrument) left out.
    const pipeToBus = (trip: Trip) => trip.bus - trip.relayed;
    const toClients = (trip: Trip) => trip.arrivals.map((at) => at - trip.printed);
    const lineToClient = trips.flatMap(toClients);
    const slowest = (trip: Trip) => max(toClients(trip));
    const changes = trips.filter((trip) => trip.phaseChange);
    const worstChange = changes.reduce((a, b) => (slowest(b) > slowest(a) ? b : a));
    const before = (trip: Trip) => trips[trips.indexOf(trip) - 1]?.phase ?? '';
    const starts = trips.filter((trip) => trip.index < 3);
    const others = runs.flatMap((run) => run.others).filter((other) => other.arrivals.length > 0);
    const lost = runs.reduce((sum, run) => sum + lostOf(run), 0);
    const duplicated = runs.reduce((sum, run) => sum + run.duplicated, 0);
    const relayHop = trips.map((trip) => trip.relayed - trip.printed);
    const statusDelays = others.flatMap((other) => other.arrivals.map((at) => at - other.bus));
    const serverCpu = median(runs.map((run) => run.cpu.server / run.events));
    const clientCpu = median(runs.flatMap((run) => run.cpu.clients.map((cpu) => cpu / run.events)));
    results.note(
      `Installer line → client, split (medians over every line): line → bus ${ms(median(trips.map(toBus)))}; ` +
        `bus → the first client ${ms(median(trips.map((trip) => min(trip.arrivals) - trip.bus)))}; ` +
        `bus → the last client ${ms(median(trips.map((trip) => max(trip.arrivals) - trip.bus)))} (the server's sweep over ` +
        `${clients} sockets, and each client process reading its ${SWARMS[0]}). The relay's own hop (read → written on) is ` +
        `${ms(median(relayHop))} median, ${ms(max(relayHop))} at most. Status events during the installs ` +
        `(${others.length}): bus → client p99 ${ms(percentile(statusDelays, 0.99))}. CPU time per event published ` +
        `(user + system over each install, ÷ its events; medians over installs): the server ${ms(serverCpu)}, each client ` +
        `process ${ms(clientCpu)}: on 2 cores, the floor of bus → the last client; the server's is ` +
        `${((1000 * serverCpu) / clients).toFixed(1)} µs per stream written. The slowest lines are the first of an ` +
        `install: they come while the status event of its start is being sent and read, which reached the last client ` +
        `${ms(median(runs.map(startStatusDelay)))} after it was published (median over installs; the server starts ` +
        `the installer in the same turn, before that event goes out). Line → bus, at ${clients} clients: ` +
        `${whereTheWaitWent(runs)}. ${niceOf(runs)}. Split at the server's read (Node's push of the bytes it read ` +
        `off the pipe, stamped in the server): ${splitAtRead(trips)}.`,
    );
    return [
      {
        measure: 'installer line → bus (the server has read and published it)',
        timed: `from the relay reading the line off the script's stdout to \`bus.publish\` in the server process (one clock: CLOCK_MONOTONIC); then from the relay's write, when the line was on the server's pipe (stamped once the write has returned: a relay that loses the CPU right after its write stamps after the server has published, and that line shows below 0); then from the server's read of that pipe (Node's push of the bytes into the pipe's stream, stamped in the server process before any of its code runs on them), the issue's other stamp; ${how}`,
        issue12: '—',
        previous:
          'p50 0.58 ms, p99 3.02 ms, max 3.24 ms; from the pipe p99 2.70 ms (stop 25); p50 0.52 ms, p99 4.69 ms, max 5.49 ms (stop 23); p99 9.48 ms (stop 22); issue 20: 10–76 ms for the first lines and each phase change',
        now:
          `${busSplit(trips, toBus)}; ${perRun('install', runs, (run) => percentile(run.trips.map(toBus), 0.99))} (p99); ` +
          `from the pipe: ${busSplit(trips, pipeToBus)}; from the server's read of the pipe: ${busSplit(trips, readToBus)}`,
        target: '≤ 2 ms p99',
        runs: `${trips.length} lines over ${installs} installs`,
      },
      {
        measure: `SSE, ${clients} clients in ${SWARMS.length} processes, installer line → client`,
        timed: `from the relay reading the line off the script's stdout to each client process's \`data\` callback for it; ${how}`,
        issue12: 'p50 20 ms, p99 74–78 ms',
        previous:
          'p50 14 ms, p99 49 ms, max 56 ms (stop 25); p50 15 ms, p99 53 ms, max 65 ms (stop 23); p99 71 ms (stop 22); p50 14 ms, p99 32 ms (bus.publish() called by the bench on an idle server); issue 20, real installs: p99 75–206 ms',
        now: `${shown(lineToClient)}; ${perRun('install', runs, (run) => percentile(run.trips.flatMap(toClients), 0.99))} (p99); ${lost} lost, ${duplicated} duplicated`,
        target: 'p99 ≤ 40 ms (issue 20), 0 lost, 0 duplicated',
        runs: `${trips.length} lines × ${clients} clients, ${installs} installs`,
      },
      {
        measure: `SSE, ${clients} clients: the worst phase change; the first lines of an install`,
        timed:
          'as above, to the last client to get the line: the line whose phase differs from the one before, and the first three lines',
        issue12: '—',
        previous:
          'checking → downloading 56 ms to the last client (1.14 ms to the bus), first lines 56 ms (1.92 ms to the bus) (stop 25); checking → downloading 65 ms to the last client (0.98 ms to the bus), first lines 65 ms (5.49 ms to the bus) (stop 23); 95 ms and 117 ms (stop 22); issue 20: the slow events are these, 10–76 ms late at the bus',
        now:
          `${before(worstChange)} → ${worstChange.phase}: ${ms(slowest(worstChange))} to the last client (${ms(toBus(worstChange))} to the bus); ` +
          `first lines: ${ms(max(starts.map(slowest)))} at worst (${ms(max(starts.map(toBus)))} to the bus)`,
        target: 'within the p99 above',
        runs: `${changes.length} phase changes, ${starts.length} first lines, ${installs} installs`,
      },
    ];
  });

  await results.row(async () => {
    // The same path with one client: the server's own reading and publishing, without 1000
    // streams' worth of work (its sweep, the clients' parsing) competing for the 2 cores.
    const runs: FanOutRun[] = [];
    for (let i = 0; i < installs; i++) {
      mirror.reset();
      mirror.setFaults([THROTTLE]);
      runs.push(await fanOutRun({ mirror, swarms: [1] }));
    }
    const trips = runs.flatMap((run) => run.trips);
    results.note(
      `Line → bus, at 1 client: ${whereTheWaitWent(runs)}. ${niceOf(runs)}. Split at the server's read: ${splitAtRead(trips)}.`,
    );
    return {
      measure: 'installer line → bus, 1 client',
      timed: `as the line → bus row, with one event stream in one client process in place of ${clients}`,
      issue12: '—',
      previous:
        'p50 0.57 ms, p99 2.82 ms, max 3.87 ms; from the pipe p99 2.79 ms (stop 25); p50 0.57 ms, p99 1.68 ms, max 2.04 ms (stop 23); p99 5.65 ms (stop 22, 69 lines)',
      now: `${busSplit(trips, (trip) => trip.bus - trip.printed)}; from the pipe: ${busSplit(trips, (trip) => trip.bus - trip.relayed)}; from the server's read of the pipe: ${busSplit(trips, readToBus)}`,
      target: '≤ 2 ms p99',
      runs: `${trips.length} lines over ${runs.length} installs`,
    };
  });

  await results.row(async () => {
    const lines = quick ? 50 : 200;
    const runs: FanOutRun[] = [];
    for (let i = 0; i < (quick ? 1 : 5); i++) runs.push(await burstRun(mirror, SWARMS, lines));
    const toClients = (run: FanOutRun) => run.trips.flatMap((trip) => trip.arrivals.map((at) => at - trip.printed));
    return {
      measure: `SSE burst, ${lines} lines 10 ms apart, ${clients} clients in ${SWARMS.length} processes: line → client`,
      timed:
        'as the installer row, the server running `test/bench/emit-lines.sh` (lines of the installer’s grammar) in place of the installer',
      issue12: '146–511 ms (p99)',
      previous:
        'p50 8.68 ms, p99 36 ms, max 65 ms (stop 25); p50 10 ms, p99 40 ms, max 82 ms (stop 23); p99 42 ms (stop 22); p99 41 ms (p50 13 ms), bus.publish() called by the bench',
      now:
        `${shown(runs.flatMap(toClients))}; ${perRun('run', runs, (run) => percentile(toClients(run), 0.99))} (p99); ` +
        `${runs.reduce((sum, run) => sum + lostOf(run), 0)} lost, ${runs.reduce((sum, run) => sum + run.duplicated, 0)} duplicated`,
      target: 'p99 ≤ 40 ms',
      runs: `${runs.length} runs of ${lines} lines × ${clients} clients`,
    };
  });

  await results.row(async () => {
    const folder = temporaryFolder('bench-memory');
    const home = join(folder, 'carapace');
    const server = await startBenchServer({
      kind: 'carapace',
      home,
      env: installerEnv(mirror, home),
      script: INSTALLER_SCRIPT,
    });
    try {
      const without = (await server.ask<{ memory: NodeJS.MemoryUsage }>({ ask: 'memory' })).memory;
      const swarms = SWARMS.map((count) =>
        startClients({ kind: 'sse', url: `${server.url}/events`, token: server.token, clients: count }),
      );
      await Promise.all(swarms.map((swarm) => swarm.next()));
      const withClients = (await server.ask<{ memory: NodeJS.MemoryUsage }>({ ask: 'memory' })).memory;
      const spawning = await server.ask<{ calls: number[]; rss: number }>({ ask: 'spawn' });
      for (const swarm of swarms) swarm.child.kill();
      await Promise.all(swarms.map((swarm) => swarm.ended));
      const small = await startBenchServer({ kind: 'bare', body: '' });
      const smallSpawning = await small.ask<{ calls: number[]; rss: number }>({ ask: 'spawn' });
      await small.close();
      results.note(
        `Starting a program holds the server's event loop while libuv forks it (node 20's libuv forks; the copy grows with the ` +
          `process): ${ms(median(spawning.calls))} per spawn() call in the server with ${clients} streams open ` +
          `(RSS ${(spawning.rss / 2 ** 20).toFixed(0)} MB), ${ms(median(smallSpawning.calls))} in a bare node:http process ` +
          `(RSS ${(smallSpawning.rss / 2 ** 20).toFixed(0)} MB), medians of 30. The installer is started once per install, ` +
          'before its first line; `sky` once per check.',
      );
      const perClient = (withClients.heapUsed + withClients.external - without.heapUsed - without.external) / clients;
      const rssPerClient = (withClients.rss - without.rss) / clients;
      return {
        measure: 'SSE memory per idle client (heap + external; RSS)',
        timed: `the server process's memory after 3 GCs with ${clients} streams open, minus before they opened, ÷ ${clients}`,
        issue12: '33 KB',
        previous: '7.1 KB (RSS 17.5 KB) (stop 25); 7.1 KB (RSS 18.3 KB) (stop 23); 4.6 KB (RSS 4.5 KB)',
        now: `${(perClient / 1024).toFixed(1)} KB (RSS ${(rssPerClient / 1024).toFixed(1)} KB)`,
        target: '≤ 20 KB',
        runs: `${clients} clients`,
      };
    } finally {
      await server.close();
      cleanUpTemporaryFolders(folder);
    }
  });
}
