/**
 * Operations: the `sky` runs behind the cloud actions. Each gets an id; its
 * output lines and its end go to the event stream as `operation` events, and
 * the running ones are listed in a new client's snapshot.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/bus.js';
import { runSky, type SkyProcess, type SkyResult, type Stream } from '../sky/run.js';

export type OperationKind = 'check' | 'launch' | 'down';

export interface Outcome {
  ok: boolean;
  /** What happened, in plain words. */
  message: string;
}

export interface OperationSummary {
  operation_id: string;
  kind: OperationKind;
  name: string | null;
  started_at: string;
  lines: { stream: Stream; line: string }[];
}

export interface OperationSpec {
  kind: OperationKind;
  name: string | null;
  sky: string;
  args: string[];
  outcome(result: SkyResult): Outcome;
}

export interface StartedOperation {
  id: string;
  done: Promise<SkyResult & Outcome>;
}

/** Lines kept per running operation for a new client's snapshot. */
const SNAPSHOT_LINES = 200;

export class Operations {
  private readonly running = new Map<string, { summary: OperationSummary; process: SkyProcess }>();

  constructor(
    private readonly bus: EventBus,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  start(spec: OperationSpec): StartedOperation {
    const id = randomUUID();
    const summary: OperationSummary = {
      operation_id: id,
      kind: spec.kind,
      name: spec.name,
      started_at: new Date().toISOString(),
      lines: [],
    };
    const base = { operation_id: id, kind: spec.kind, name: spec.name };
    this.bus.publish('operation', { ...base, event: 'start', command: ['sky', ...spec.args] });
    const process = runSky(spec.sky, spec.args, this.env, (stream, line) => {
      summary.lines.push({ stream, line });
      if (summary.lines.length > SNAPSHOT_LINES) summary.lines.shift();
      this.bus.publish('operation', { ...base, event: 'line', stream, line });
    });
    this.running.set(id, { summary, process });
    const done = process.result.then((result) => {
      this.running.delete(id);
      const outcome = spec.outcome(result);
      this.bus.publish('operation', { ...base, event: 'end', exit_code: result.exitCode, ...outcome });
      return { ...result, ...outcome };
    });
    return { id, done };
  }

  list(): OperationSummary[] {
    return [...this.running.values()].map(({ summary }) => ({ ...summary, lines: [...summary.lines] }));
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const { process } of all) process.stop();
    await Promise.all(all.map(({ process }) => process.result.catch(() => undefined)));
  }
}
