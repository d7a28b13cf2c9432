/** A PATH with this machine's programs but some (ssh, gcloud...), as a machine without them has. */
import { readdirSync, symlinkSync } from 'node:fs';
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
