/**
 * The operations behind the cloud actions (check, launch, tear down): each gets an
 * id; its `sky` output lines and its end go to the event stream as `operation`
 * events, and the running ones are listed in a new client's snapshot. An operation
 * is a small script of sky runs (a teardown is `sky down`, then `sky status` to
 * confirm), written by the caller as `run(context)`.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorCode, OperationEventData, OperationKind, OperationSummary } from '../api.js';
import { CarapaceError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { ProcessResult } from '../process/run.js';
import { type SkyTarget, skyFailure } from './failure.js';
import type { SkyRunner } from './runner.js';
import { displayText } from './text.js';

export interface Outcome {
  ok: boolean;
  /** What happened, in plain words. */
  message: string;
  /** What to do next, on a failure. */
  hint: string | null;
  code: ErrorCode | null;
  /** The exit status of the sky run the outcome rests on, if one. */
  exit_code: number | null;
}

/** The outcome of a sky run that failed, in Carapace's words (what: "Checking gcp", "The launch of web-1"). */
export function failedOutcome(what: string, result: ProcessResult, target: SkyTarget): Outcome {
  const failure = skyFailure(what, result.stdout, result.stderr, target);
  return { ok: false, message: failure.message, hint: failure.hint, code: failure.code, exit_code: result.exitCode };
}

/** A failed outcome as the answer of a request that waited for it. */
export function outcomeError(outcome: Outcome): CarapaceError {
  return new CarapaceError(
    outcome.code ?? 'sky-failed',
    outcome.message,
    outcome.hint ?? 'See the output in the activity log; then try again.',
    502,
  );
}

export interface OperationContext {
  /** Runs sky, its output streamed as this operation's lines. */
  sky(args: string[], options?: { unqueued?: boolean }): Promise<ProcessResult>;
  /** The operation can now be cancelled through SkyPilot's request id. */
  cancellable(requestId: string): void;
  /** Whether Carapace is shutting down (the operation may still run on in SkyPilot). */
  readonly stopping: boolean;
}

export interface OperationSpec {
  kind: OperationKind;
  name: string | null;
  sky: string;
  /** The command shown in the log when the operation starts. */
  command: string[];
  run(context: OperationContext): Promise<Outcome>;
}

export interface StartedOperation {
  id: string;
  done: Promise<Outcome>;
}

const API_SERVER_STARTED = /SkyPilot API server started/;

/** Lines kept per running operation for a new client's snapshot. */
const SNAPSHOT_LINES = 200;

interface Running {
  summary: OperationSummary;
  stops: Set<() => void>;
  done: Promise<Outcome>;
}

export class OperationRegistry {
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(
    private readonly bus: EventBus,
    private readonly runner: SkyRunner,
    /**
     * Called, after the operation's answer has gone out, when a sky run said it started
     * SkyPilot's local API server ("SkyPilot API server started", sky/server/common.py):
     * looking for it costs a scan of the processes, so not after every run.
     */
    private readonly onApiServerStarted: () => void = () => undefined,
  ) {}

  start(spec: OperationSpec): StartedOperation {
    const id = randomUUID();
    const base = { operation_id: id, kind: spec.kind, name: spec.name };
    const summary: OperationSummary = { ...base, started_at: new Date().toISOString(), request_id: null, lines: [] };
    const publish = (event: OperationEventData) => this.bus.publish('operation', event);
    const stops = new Set<() => void>();
    const registry = this;
    let startedApiServer = false;
    const context: OperationContext = {
      sky: async (args, options = {}) => {
        const run = this.runner.run(spec.sky, args, {
          unqueued: options.unqueued,
          onLine: (stream, raw) => {
            // Colours and pictographs are for terminals: the log shows text.
            const line = displayText(raw);
            if (API_SERVER_STARTED.test(line)) startedApiServer = true;
            summary.lines.push({ stream, line });
            if (summary.lines.length > SNAPSHOT_LINES) summary.lines.shift();
            publish({ ...base, event: 'line', stream, line });
          },
        });
        stops.add(run.stop);
        try {
          return await run.result;
        } finally {
          stops.delete(run.stop);
        }
      },
      cancellable: (requestId) => {
        summary.request_id = requestId;
        publish({ ...base, event: 'cancellable', request_id: requestId });
      },
      get stopping() {
        return registry.stopping;
      },
    };
    publish({ ...base, event: 'start', command: spec.command });
    const done = spec
      .run(context)
      .catch(
        (error: unknown): Outcome => ({
          ok: false,
          message: `${spec.kind} failed inside Carapace: ${error instanceof Error ? error.message : 'unknown error'}.`,
          hint: 'Retry; if it fails again, see the server log.',
          code: 'sky-failed',
          exit_code: null,
        }),
      )
      .then((outcome) => {
        this.running.delete(id);
        publish({ ...base, event: 'end', ...outcome });
        if (startedApiServer) setImmediate(this.onApiServerStarted);
        return outcome;
      });
    this.running.set(id, { summary, stops, done });
    return { id, done };
  }

  list(): OperationSummary[] {
    return [...this.running.values()].map(({ summary }) => ({ ...summary, lines: [...summary.lines] }));
  }

  get(id: string): OperationSummary | null {
    const found = this.running.get(id);
    return found ? { ...found.summary, lines: [] } : null;
  }

  /** On shutdown: stop every sky process Carapace started (SkyPilot's own requests go on). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    for (const { stops } of all) for (const stop of stops) stop();
    await Promise.all(all.map(({ done }) => done));
  }
}
