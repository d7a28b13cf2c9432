/** One fixture and one listener per test, closed after each (see fixturePerTest). */
import { afterEach } from 'vitest';
import { cleanUpTemporaryFolders, type Fixture, type FixtureOptions, startFixture } from './fixture.js';
import { Listener } from './sse.js';

/**
 * For a test file whose tests each open one fixture, with a listener on its event
 * stream: `open()` starts both (the snapshot received), and after each test both are
 * closed, with whatever `alsoClose` was given, and the temporary folders removed.
 */
export function fixturePerTest() {
  let fixture: Fixture | undefined;
  let listener: Listener | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    listener?.close();
    await fixture?.close();
    for (const close of closers.splice(0)) await close();
    fixture = undefined;
    listener = undefined;
    cleanUpTemporaryFolders();
  });
  return {
    async open(options: FixtureOptions = {}): Promise<Fixture> {
      fixture = await startFixture(options);
      listener = new Listener(fixture.server.url, { token: fixture.server.token });
      await listener.waitFor((e) => e.type === 'snapshot', 'the snapshot');
      return fixture;
    },
    /** The listener of the fixture opened last. */
    listener(): Listener {
      if (!listener) throw new Error('open() first');
      return listener;
    },
    /** Listen again (after a restart, say): the old listener is closed. */
    relisten(): Listener {
      listener?.close();
      if (!fixture) throw new Error('open() first');
      listener = new Listener(fixture.server.url, { token: fixture.server.token });
      return listener;
    },
    alsoClose(close: () => Promise<void>): void {
      closers.push(close);
    },
  };
}
