/**
 * chokidar on CARAPACE_HOME, for the status: only the entries the status is read
 * from -- the marker (and the next one, of a switch), the lock, the tools link, and
 * what names the API server (settings.json, sky's project config). The rest (staging,
 * tools.<id>, cache, python: the folders an install makes and fills) is ignored. chokidar
 * still reads the whole folder again at every change in it, which is why the store
 * stops watching while this server's own install runs (src/status/store.ts).
 */
import { type FSWatcher, watch } from 'chokidar';
import type { Layout } from '../contract.js';

const STATUS_ENTRIES = new Set<string>(['marker', 'pendingMarker', 'lock', 'tools', 'settings'] as const);

function ignoredBy(layout: Layout): (path: string) => boolean {
  const read = new Set(
    Object.entries(layout)
      .filter(([key]) => STATUS_ENTRIES.has(key))
      .map(([, path]) => path),
  );
  read.add(`${layout.home}/.sky.yaml`);
  return (path) => path !== layout.home && !read.has(path);
}

/**
 * Watches CARAPACE_HOME, calling `onChange` at every change of an entry the status is
 * read from, except while paused. Pausing before chokidar is ready is kept too.
 */
export class HomeWatcher {
  private watcher: FSWatcher | null = null;
  private starting: Promise<void> | null = null;
  private paused = true;
  private closed = false;

  constructor(
    private readonly layout: Layout,
    private readonly onChange: () => void,
  ) {}

  /** Watches (again); resolves once chokidar has read the folder. */
  resume(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.paused = false;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  async pause(): Promise<void> {
    this.paused = true;
    const watcher = this.watcher;
    this.watcher = null;
    await watcher?.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pause();
    await this.starting;
  }

  private async start(): Promise<void> {
    if (this.watcher) return;
    const watcher = watch(this.layout.home, { depth: 0, ignoreInitial: true, ignored: ignoredBy(this.layout) });
    // Paused before chokidar was ready, it still reports until it is closed below.
    watcher.on('all', () => {
      if (!this.paused) this.onChange();
    });
    await new Promise<void>((ready) => watcher.once('ready', ready));
    if (this.paused) await watcher.close();
    else this.watcher = watcher;
  }
}
