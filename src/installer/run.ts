/**
 * Runs scripts/install-skypilot.sh once, under `sh`, and reports each stdout
 * line as an InstallEvent. The script owns installing; this only spawns and reads.
 */
import { createInterface } from 'node:readline';
import { $, type ProcessPromise } from 'zx';
import { type InstallEvent, parseInstallerLine } from './lines.js';

export interface InstallerOutcome {
  exitCode: number | null;
  /** The script's `error` line, if it printed one. */
  error: InstallEvent | null;
  /** The last lines the script wrote to stderr (the shell's own complaints, if any). */
  stderrTail: string[];
}

export interface InstallerRun {
  outcome: Promise<InstallerOutcome>;
  /** Ask the script to stop: it stops uv, removes staging and releases its lock. */
  stop(): void;
}

export interface InstallerOptions {
  script: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  onEvent(event: InstallEvent): void;
}

const STDERR_TAIL = 20;

export function runInstaller({ script, args, env, onEvent }: InstallerOptions): InstallerRun {
  // zx runs this through bash; `exec` leaves `sh` as the process we signal.
  const child: ProcessPromise = $({
    env,
    nothrow: true,
    quiet: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })`exec sh ${script} ${args}`;
  let error: InstallEvent | null = null;
  let finished = false;
  const stderrTail: string[] = [];

  const stdoutDone = new Promise<void>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const event = parseInstallerLine(line);
      if (!event) return;
      if (event.phase === 'error') error = event;
      onEvent(event);
    });
    lines.on('close', resolve);
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
  });

  const outcome = (async (): Promise<InstallerOutcome> => {
    const result = await child;
    finished = true;
    await stdoutDone;
    return { exitCode: result.exitCode, error, stderrTail };
  })();

  return {
    outcome,
    stop() {
      // (zx's exitCode is a promise, so track the end ourselves.)
      if (!finished) void child.kill('SIGTERM').catch(() => undefined);
    },
  };
}
