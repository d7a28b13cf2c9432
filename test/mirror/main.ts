/**
 * Runs the test mirror until stopped:
 * `tsx test/mirror/main.ts [--port N] [--url-file F] [--tls-key K --tls-cert C]`.
 * Prints the base URL (and writes it to --url-file, for shell tests to pick up).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startMirror } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'url-file': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
  },
});
const tls =
  values['tls-key'] && values['tls-cert']
    ? { key: readFileSync(values['tls-key'], 'utf8'), cert: readFileSync(values['tls-cert'], 'utf8') }
    : undefined;
const mirror = await startMirror({ port: values.port ? Number(values.port) : 0, tls });
if (values['url-file']) writeFileSync(values['url-file'], `${mirror.url}\n`);
process.stdout.write(`${mirror.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void mirror.close().then(() => process.exit(0));
  });
}
