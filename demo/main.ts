/**
 * npm run demo: the whole flow on a machine with no internet. The server runs
 * against the test mirror and the stand-ins for uv and sky, in a temporary
 * CARAPACE_HOME; the page shows a banner saying so. `npm start` is the real thing.
 *
 * The mirror serves the real programs' sizes (uv's archive, a Python, SkyPilot's
 * packages: about 133 MB) at the speed of a real line, so that the install takes
 * as long as a real one and its progress can be watched. The stand-in sky starts no
 * machine and never runs ssh or rsync: the demo needs neither.
 */
// The demo runs on the test suite's fixtures -- its mirror and the stand-ins for uv
// and sky -- and says so on the page: these are the imports from test/ outside it.
import { REAL_SIZES } from '../test/mirror/artifacts.js';
import { type Mirror, startMirror } from '../test/mirror/server.js';
import { type Fixture, startFixture as startDemoOnTestFixtures } from '../test/support/fixture.js';

const port = Number(process.env.CARAPACE_PORT ?? 3001);
/** 48 Mbit/s: uv's archive in about 3 s, Python and SkyPilot's packages in about 20 s. */
const BYTES_PER_SECOND = 6_000_000;

const mirror = await startMirror({ sizes: REAL_SIZES });
let fixture: Fixture;
try {
  fixture = await startDemoOnTestFixtures({
    port,
    demo: true,
    mirror,
    // The Python archive comes from the mirror too, so that its download is part of the install.
    env: { UV_PYTHON_INSTALL_MIRROR: mirror.pythonBase },
  });
} catch (error) {
  await mirror.close();
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
  console.error(
    `carapace demo: port ${port} is already in use (another Carapace?). Choose another with CARAPACE_PORT=3002 npm run demo.`,
  );
  process.exit(1);
}

// The same figure the page gives before the first install (public/panel-status.js): uv's
// archive, a Python and SkyPilot's packages, as the real ones are.
const firstInstall =
  REAL_SIZES.uvBytes + REAL_SIZES.pythonBytes + REAL_SIZES.dependencies.reduce((sum, d) => sum + d.bytes, 0);
console.log(
  `Preparing the stand-in downloads (a first install downloads about ${Math.round(firstInstall / 1e7) * 10} MB)…`,
);
await warm(mirror);
// Every download (uv's archive, the Python archive, the packages) at the speed of a real line.
mirror.setFaults([{ match: '', kind: 'slow', bytesPerSecond: BYTES_PER_SECOND }]);
console.log(`Carapace demo (stand-in uv and SkyPilot, local mirror ${mirror.url})`);
console.log(`CARAPACE_HOME=${fixture.home}`);
console.log(`Open ${fixture.server.pageUrl}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fixture
      .close()
      .then(() => mirror.close())
      .then(() => process.exit(0));
  });
}

/** The mirror makes each file on its first request (seconds for its packages): they are made now, not mid-install. */
async function warm(from: Mirror): Promise<void> {
  const page = await (await fetch(`${from.indexUrl}/skypilot-nightly/`)).text();
  for (const [, href] of page.matchAll(/href="(\/packages\/[^"#]+)/g))
    await (await fetch(`${from.url}${href}`)).arrayBuffer();
  from.reset();
}
