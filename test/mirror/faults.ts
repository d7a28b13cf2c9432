/**
 * Faults the test mirror can inject, so that tests exercise the installer's
 * handling of real network failures. A fault applies to GET requests whose
 * path ends with `match` (".tar.gz" is the archive, ".sha256" its sidecar),
 * for `count` requests (default: all of them).
 */
export type FaultKind =
  | 'refuse' // close the connection without an answer (a reset)
  | '404'
  | '500'
  | 'truncate' // announce the full length, send half, close
  | 'bad-checksum' // a .sha256 sidecar with the wrong hash
  | 'stall' // send half, then nothing, never close
  | 'slow' // throttle to bytesPerSecond
  | 'hang' // accept the connection, answer nothing, never close
  | 'redirect'; // 302 to `location`

export interface Fault {
  match: string;
  kind: FaultKind;
  count?: number;
  bytesPerSecond?: number;
  location?: string;
}

const KINDS: readonly FaultKind[] = [
  'refuse',
  '404',
  '500',
  'truncate',
  'bad-checksum',
  'stall',
  'slow',
  'hang',
  'redirect',
];

export function parseFaults(input: unknown): Fault[] {
  if (!Array.isArray(input)) throw new Error('faults must be a JSON array');
  return input.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) throw new Error('each fault must be an object');
    const { match, kind, count, bytesPerSecond, location } = item as Record<string, unknown>;
    if (typeof match !== 'string') throw new Error('fault.match must be a string');
    if (!KINDS.includes(kind as FaultKind)) throw new Error(`fault.kind must be one of ${KINDS.join(', ')}`);
    if (count !== undefined && typeof count !== 'number') throw new Error('fault.count must be a number');
    if (bytesPerSecond !== undefined && typeof bytesPerSecond !== 'number')
      throw new Error('fault.bytesPerSecond must be a number');
    if (location !== undefined && typeof location !== 'string') throw new Error('fault.location must be a string');
    return { match, kind: kind as FaultKind, count, bytesPerSecond, location };
  });
}

export class FaultTable {
  private faults: Fault[] = [];

  set(faults: Fault[]): void {
    this.faults = faults.map((f) => ({ ...f }));
  }

  /** The fault for this request, consuming one use of it. */
  take(method: string, path: string): Fault | undefined {
    if (method !== 'GET') return undefined;
    const fault = this.faults.find((f) => path.endsWith(f.match) && (f.count === undefined || f.count > 0));
    if (fault?.count !== undefined) fault.count -= 1;
    return fault;
  }
}
