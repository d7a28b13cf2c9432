// src/process/run.ts: zx under /bin/sh, with `exec`, so that every argument arrives as it
// was given and the shell becomes the program.
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { posixQuote } from '../../src/process/quote.js';
import { runProcess } from '../../src/process/run.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

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
});

describe('posixQuote', () => {
  it('runs work in the background at a lower CPU priority, which the programs it starts inherit', async () => {
    // The priority is lowered once the program has started: it reads its own after a pause.
    const niceOf = "sleep 0.3; ps -o nice= -p $$; sh -c 'ps -o nice= -p $$'";
    const lowered = await runProcess('sh', ['-c', niceOf], { env, lowerPriority: 10 }).result;
    const plain = await runProcess('sh', ['-c', niceOf], { env }).result;
    const server = getPriority();
    expect(lowered.stdout.trim().split(/\s+/).map(Number)).toEqual([
      Math.min(19, server + 10),
      Math.min(19, server + 10),
    ]);
    expect(plain.stdout.trim().split(/\s+/).map(Number)).toEqual([server, server]);
  });

  it('single-quotes, writing a quote as the four characters that close, escape and reopen', () => {
    expect(posixQuote("a'b")).toBe("'a'\\''b'");
    expect(posixQuote('')).toBe("''");
  });

  it('refuses a NUL byte, which no argument can hold', () => {
    expect(() => posixQuote('a\0b')).toThrow(/NUL/);
  });
});
