/**
 * Runs scripts/install-skypilot.sh once, under `sh`, and reports each stdout line
 * as an InstallEvent. The script owns installing; this only starts it and reads.
 */
import type { InstallEvent } from '../api.js';
import { runProcess } from '../process/run.js';
import { parseInstallerLine } from './lines.js';

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
  /** The script's options, e.g. ['--force']. */
  flags: string[];
  env: NodeJS.ProcessEnv;
  onEvent(event: InstallEvent): void;
}

const STDERR_TAIL = 20;
/** The installer's nice value over the server's: uv's work yields the CPU to the server when both want it. */
const INSTALLER_NICE = 10;

export function runInstaller({ script, flags, env, onEvent }: InstallerOptions): InstallerRun {
  let error: InstallEvent | null = null;
  const stderrTail: string[] = [];
  // CARAPACE_WATCH_PID: the script stops itself (releasing its lock) if this server dies.
  const child = runProcess('sh', [script, ...flags], {
    env: { ...env, CARAPACE_WATCH_PID: String(process.pid) },
    // An install is background work; the page, its events and the app's answers are not.
    lowerPriority: INSTALLER_NICE,
    onLine(stream, line) {
      if (stream === 'stderr') {
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
        return;
      }
      const event = parseInstallerLine(line);
      if (!event) return;
      if (event.phase === 'error') error = event;
      onEvent(event);
    },
  });
  const outcome = child.result.then((result) => ({
    exitCode: result.exitCode,
    error,
    stderrTail,
  }));
  return { outcome, stop: () => child.stop() };
}
