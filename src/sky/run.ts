/** Runs `sky` with an argument list (zx quotes each one; nothing is built into a shell string). */
import { createInterface } from 'node:readline';
import { $, type ProcessPromise } from 'zx';

export type Stream = 'stdout' | 'stderr';

export interface SkyResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface SkyProcess {
  result: Promise<SkyResult>;
  stop(): void;
}

export function runSky(
  sky: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (stream: Stream, line: string) => void = () => undefined,
): SkyProcess {
  // stdin is closed: sky must never wait on a prompt (launch and down always get -y).
  const child: ProcessPromise = $({
    env,
    nothrow: true,
    quiet: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })`exec ${sky} ${args}`;
  let finished = false;
  const closed = (['stdout', 'stderr'] as const).map(
    (stream) =>
      new Promise<void>((resolve) => {
        const lines = createInterface({ input: child[stream] });
        lines.on('line', (line) => onLine(stream, line));
        lines.on('close', resolve);
      }),
  );
  const result = (async (): Promise<SkyResult> => {
    const output = await child;
    finished = true;
    await Promise.all(closed);
    return { exitCode: output.exitCode, stdout: output.stdout, stderr: output.stderr };
  })();
  return {
    result,
    stop() {
      // (zx's exitCode is a promise, so track the end ourselves.)
      if (!finished) void child.kill('SIGTERM').catch(() => undefined);
    },
  };
}
