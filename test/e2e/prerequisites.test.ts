// What a launch needs, said up front: without ssh and rsync the page warns when it
// opens, not at the first Launch; the demo needs neither (its stand-in sky never runs
// them); `npm run demo` on a busy port says so in one line.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { available, open, pathWithout, shows, state, usePage } from './helpers.js';

const s = usePage(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe.skipIf(!available)('prerequisites', () => {
  it('without ssh and rsync, the page warns as it opens', async () => {
    await open(s, { env: { PATH: pathWithout(['ssh', 'rsync']) } });
    const warning = s.page.locator('#launch-panel').getByRole('note');
    await shows(warning, 'Launching a server needs ssh and rsync on this computer');
    await shows(warning, 'Check Clouds and Preview work without them');
    // A launch cannot work: its button says so by being off, a preview's can.
    expect(await s.page.getByRole('button', { name: 'Launch Server' }).isDisabled()).toBe(true);
    await s.page.getByLabel('Preview only: the machine and its price, nothing launched').check();
    expect(await s.page.getByRole('button', { name: 'Preview' }).isDisabled()).toBe(false);
    await state(
      s,
      '27-missing-ssh',
      'The Launch panel opening with a warning: launching needs ssh and rsync, how to install them; Preview checked and usable.',
    );
  });

  it('the demo needs neither: no warning, and a launch works without them', async () => {
    await open(s, { demo: true, env: { PATH: pathWithout(['ssh', 'rsync']) } });
    expect(await s.page.locator('#tools-warning').isVisible()).toBe(false);
    await s.page.getByLabel('Name', { exact: true }).fill('demo-1');
    await s.page.getByRole('button', { name: 'Launch Server' }).click();
    await shows(s.page.getByRole('row', { name: /demo-1/ }), 'Running');
  });
});

describe('npm run demo', () => {
  it('on a busy port says so in one line', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    try {
      const demo = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, CARAPACE_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      demo.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      demo.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => demo.on('close', resolve));
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toEqual([
        `carapace demo: port ${port} is already in use (another Carapace?). Choose another with CARAPACE_PORT=3002 npm run demo.`,
      ]);
    } finally {
      busy.close();
    }
  });
});
