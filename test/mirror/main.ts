/**
 * Runs the test mirror until stopped: `tsx test/mirror/main.ts [--port N] [--url-file F]`.
 * Prints the base URL (and writes it to --url-file, for shell tests to pick up).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startMirror } from './server.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'url-file': { type: 'string' } } });
const mirror = await startMirror(values.port ? Number(values.port) : 0);
if (values['url-file']) writeFileSync(values['url-file'], `${mirror.url}\n`);
process.stdout.write(`${mirror.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void mirror.close().then(() => process.exit(0));
  });
}
