/**
 * npm run demo: the whole flow on a machine with no internet. The server runs
 * against the test mirror and the stand-ins for uv and sky, in a temporary
 * CARAPACE_HOME; the page shows a banner saying so. `npm start` is the real thing.
 */
// The demo runs on the test suite's fixtures -- its mirror and the stand-ins for uv
// and sky -- and says so on the page: this is the one import from test/ outside it.
import { startFixture as startDemoOnTestFixtures } from '../test/support/fixture.js';

const port = Number(process.env.CARAPACE_PORT ?? 3001);
const fixture = await startDemoOnTestFixtures({ port, demo: true });
// Slow the uv download down to what a real connection looks like, so the progress can be watched.
fixture.mirror.setFaults([{ match: '.tar.gz', kind: 'slow', bytesPerSecond: 400_000 }]);
console.log(`Carapace demo (stand-in uv and SkyPilot, local mirror ${fixture.mirror.url})`);
console.log(`CARAPACE_HOME=${fixture.home}`);
console.log(`Open ${fixture.server.pageUrl}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fixture.close().then(() => process.exit(0));
  });
}
