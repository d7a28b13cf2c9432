// src/process/run.ts: zx under /bin/sh, with `exec`, so that every argument arrives as it
// was given and the shell becomes the program.
import { getPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { posixQuote } from '../../src/process/quote.js';
import { runProcess } from '../../src/process/run.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const RUN_MODULE = fileURLToPath(new URL('../../src/process/run.ts', import.meta.url));

describe('runProcess', () => {
  it('passes every argument as it is: quotes, $, globs, spaces, line breaks, an empty one, an option-like one', async () => {
    const args = ["it's", '$HOME', '*', 'a  b', 'one\ntwo', '', '--flag=`id`', '\\'];
    const { exitCode, stdout } = await runProcess('printf', ['[%s]\n', ...args], { env }).result;
    expect(exitCode).toBe(0);
    expect(stdout).toBe(`${args.map((arg) => `[${arg}]`).join('\n')}\n`);
  });

  it('runs the program as the shell itself (exec): one process, whose parent is this one', async () => {
    const { stdout } = await runProcess('sh', ['-c', 'echo "$PPID"'], { env }).result;
    expect(Number(stdout.trim())).toBe(process.pid);
  });

  it('hands over each line of both streams as it comes, and keeps them for the parsers', async () => {
    const lines: string[] = [];
    const result = await runProcess('sh', ['-c', 'echo out1; echo err1 >&2; printf "out2\\r\\n"; exit 3'], {
      env,
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    }).result;
    expect(result.exitCode).toBe(3);
    expect(lines.filter((line) => line.startsWith('stdout:'))).toEqual(['stdout:out1', 'stdout:out2']);
    expect(lines).toContain('stderr:err1');
    expect(result.stderr).toBe('err1\n');
  });

  it('keeps a bounded part of a program that prints without end', async () => {
    // 8 MB of output: the result keeps its first 2 MB (and a bit of the last chunk).
    const { stdout } = await runProcess('sh', ['-c', 'head -c 8000000 /dev/zero | tr "\\0" x'], { env }).result;
    expect(stdout.length).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(stdout.length).toBeLessThan(3 * 1024 * 1024);
  });

  it('says why a program could not be started', async () => {
    const { exitCode, stderr } = await runProcess('/nonexistent/program', [], { env }).result;
    expect(exitCode).toBe(127);
    expect(stderr).toContain('/nonexistent/program');
  });

  it('stops the program on stop(), and only it', async () => {
    const running = runProcess('sh', ['-c', 'sleep 30 & echo "$!"; wait'], { env });
    const lines: string[] = [];
    await new Promise((resolve) => setTimeout(resolve, 300));
    running.stop();
    const result = await running.result;
    expect(result.signal).toBe('SIGTERM');
    lines.push(...result.stdout.trim().split('\n'));
    const sleeper = Number(lines[0]);
    // The child of the stopped program is not signalled (as SkyPilot's local API server must not be).
    expect(() => process.kill(sleeper, 0)).not.toThrow();
    process.kill(sleeper, 'SIGKILL');
  });

  it('runs work in the background at a lower CPU priority than its own, which the programs it starts inherit', async () => {
    // From a process already at nice 3, so that "10 lower than the server's" differs from nice 10.
    // The priority is lowered once the program has started: it reads its own after a pause.
    const probe = `
      import { runProcess } from ${JSON.stringify(RUN_MODULE)};
      const niceOf = "sleep 0.3; ps -o nice= -p $$; sh -c 'ps -o nice= -p $$'";
      const env = { PATH: process.env.PATH };
      const lowered = await runProcess('sh', ['-c', niceOf], { env, lowerPriority: 10 }).result;
      const plain = await runProcess('sh', ['-c', niceOf], { env }).result;
      console.log(JSON.stringify([lowered.stdout, plain.stdout].map((out) => out.trim().split(/\\s+/).map(Number))));
    `;
    const { stdout } = await runProcess(
      'nice',
      ['-n', '3', process.execPath, '--import', 'tsx', '--input-type=module', '-e', probe],
      { env },
    ).result;
    const server = getPriority() + 3;
    expect(JSON.parse(stdout)).toEqual([
      [Math.min(19, server + 10), Math.min(19, server + 10)],
      [server, server],
    ]);
  });

  it('ends a line at a line feed alone, as zx did: a \\r redrawing a progress bar stays in its line', async () => {
    const lines: string[] = [];
    await runProcess('printf', ['10%%\\r20%%\\r30%%\\ndone\\r\\nlast'], {
      env,
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    }).result;
    expect(lines).toEqual(['stdout:10%\r20%\r30%', 'stdout:done', 'stdout:last']);
  });

  it('hands over the lines after one its consumer failed on, and the server goes on', async () => {
    const lines: string[] = [];
    const result = await runProcess('sh', ['-c', 'echo one; echo bad; echo three'], {
      env,
      onLine: (_stream, line) => {
        if (line === 'bad') throw new Error('a consumer failed');
        lines.push(line);
      },
    }).result;
    expect(result.exitCode).toBe(0);
    expect(lines).toEqual(['one', 'three']);
  });
});

describe('posixQuote', () => {
  it('single-quotes, writing a quote as the four characters that close, escape and reopen', () => {
    expect(posixQuote("a'b")).toBe("'a'\\''b'");
    expect(posixQuote('')).toBe("''");
  });

  it('refuses a NUL byte, which no argument can hold', () => {
    expect(() => posixQuote('a\0b')).toThrow(/NUL/);
  });
});
