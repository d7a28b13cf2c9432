/** npm start: the Carapace server. */
import { readConfig } from './config.js';
import { startServer } from './server.js';

const config = readConfig();
const server = await startServer({ ...config, env: process.env });
console.log(`Carapace is running at ${server.url} (CARAPACE_HOME=${config.home})`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: shutting down`);
    void server.close().then(() => process.exit(0));
  });
}
