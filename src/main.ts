/** npm start: the Carapace server. */
import { ConfigError, readConfig } from './config.js';
import { startServer } from './server.js';

let config: ReturnType<typeof readConfig>;
try {
  config = readConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`carapace: ${error.message}`);
  process.exit(2);
}

try {
  const server = await startServer({ ...config, env: process.env });
  console.log(`Carapace is running. Open ${server.pageUrl}`);
  console.log(`(CARAPACE_HOME=${config.home}; the link holds the token kept in ${config.home}/server-token)`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: shutting down`);
      void server.close().then(() => process.exit(0));
    });
  }
} catch (error) {
  // A CARAPACE_HOME that someone else may write in (src/home.ts).
  if (error instanceof ConfigError) {
    console.error(`carapace: ${error.message}`);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(
      `carapace: port ${config.port} on ${config.host} is already in use (another Carapace?). Choose another with CARAPACE_PORT=3002 npm start.`,
    );
    process.exit(1);
  }
  if (code === 'EACCES') {
    console.error(
      `carapace: not allowed to listen on ${config.host}:${config.port}. Choose another port with CARAPACE_PORT.`,
    );
    process.exit(1);
  }
  throw error;
}
