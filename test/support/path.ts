/** A PATH with this machine's programs but some (ssh, gcloud...), as a machine without them has. */
import { chmodSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryFolder } from './fixture.js';

/** One folder of links to the programs of /usr/local/bin, /usr/bin and /bin, but `left` and sky. */
export function pathWithout(left: string[]): string {
  const bin = temporaryFolder('path');
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
    for (const name of readdirSync(dir)) {
      if (name === 'sky' || left.includes(name)) continue;
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch {
        // already linked from an earlier folder
      }
    }
  }
  return bin;
}

/**
 * A folder holding programs that only need to be there (SkyPilot looks `gcloud` up with
 * shutil.which, sky/clouds/gcp.py), so that a test does not depend on what this machine has.
 */
export function folderWithPrograms(names: string[]): string {
  const bin = temporaryFolder('programs');
  for (const name of names) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name}: a test's stand-in, which does nothing" >&2\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}
